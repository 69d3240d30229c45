import { appendFileSync } from 'node:fs';

export interface RecordedSms {
  at: string;
  to: string;
  message: string;
  [extra: string]: unknown;
}

/**
 * No local emulator sends SMS (fauxqs refuses Publish to a phone number), so the local stack
 * records them: handlers post to SMS_SINK_URL, and `GET /local/sms` lists what was "sent".
 */
export class SmsRecorder {
  readonly messages: RecordedSms[] = [];

  constructor(private readonly file: string | null) {}

  record(payload: Record<string, unknown>): RecordedSms {
    const sms: RecordedSms = {
      ...payload,
      at: new Date().toISOString(),
      to: String(payload.to ?? payload.phoneNumber ?? ''),
      message: String(payload.message ?? ''),
    };
    this.messages.push(sms);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(sms)}\n`);
    return sms;
  }
}
