import type { SNSClient } from '@aws-sdk/client-sns';
import { type ClientSource, clientLoader } from './lazy.js';

/** The SNS SDK is imported on first send: only dunning texts. */
const snsSdk = () => import('@aws-sdk/client-sns');

export interface SmsMessage {
  /** E.164 phone number. */
  to: string;
  message: string;
  /** Identifies the message for deduplication and the local record (e.g. `<invoice>:<step>`). */
  tag: string;
}

/**
 * Sends SMS. An interface because no local emulator sends SMS: SNS Publish in the cloud, the local
 * stack's SMS recorder (SMS_SINK_URL) locally, a memory sender in tests.
 */
export interface SmsSender {
  send(sms: SmsMessage): Promise<void>;
}

/** SNS Publish to a phone number, as a transactional SMS; without a client it creates one on the first send. */
export class SnsSmsSender implements SmsSender {
  private readonly sns: () => Promise<SNSClient>;

  constructor(sns: ClientSource<SNSClient> = async () => new (await snsSdk()).SNSClient({})) {
    this.sns = clientLoader(sns);
  }

  async send(sms: SmsMessage): Promise<void> {
    const { PublishCommand } = await snsSdk();
    await (await this.sns()).send(
      new PublishCommand({
        PhoneNumber: sms.to,
        Message: sms.message,
        MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
      }),
    );
  }
}

/** Posts to the local stack's SMS recorder (`POST /local/sms`). */
export class HttpSmsSink implements SmsSender {
  constructor(private readonly url: string) {}

  async send(sms: SmsMessage): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sms),
    });
    if (!response.ok) throw new Error(`SMS sink answered ${response.status}`);
  }
}

/** Keeps SMS in memory: for tests. */
export class MemorySmsSender implements SmsSender {
  readonly sent: SmsMessage[] = [];

  async send(sms: SmsMessage): Promise<void> {
    this.sent.push(sms);
  }
}

/** The SMS sender for this host: the local recorder when SMS_SINK_URL is set, SNS otherwise. */
export function createSmsSender(sinkUrl: string | undefined): SmsSender {
  return sinkUrl ? new HttpSmsSink(sinkUrl) : new SnsSmsSender();
}
