import { randomUUID } from 'node:crypto';
import type { SESClient } from '@aws-sdk/client-ses';
import { type ClientSource, clientLoader } from './lazy.js';

/** The SES SDK is imported on first send: only issuing and dunning mail. */
const sesSdk = () => import('@aws-sdk/client-ses');

/** A file sent with an e-mail (an invoice PDF, a formal letter). */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative of `text` (campaign e-mails); the text part stays for plain readers. */
  html?: string;
  /** Extra headers, e.g. `List-Unsubscribe`; names and values must be plain ASCII. */
  headers?: Record<string, string>;
  attachments?: MailAttachment[];
}

/**
 * Sends e-mail. An interface so services stay free of the AWS SDK: SES in the cloud and on the local
 * stack (aws-ses-v2-local answers the same API), a memory mailer in tests.
 */
export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
}

/** RFC 2047 encoded-word, so non-ASCII subjects and file names survive every mail hop. */
function encodeHeader(value: string): string {
  return /^[\x20-\x7e]*$/.test(value)
    ? value
    : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function base64Lines(content: Uint8Array | string): string {
  const b64 = Buffer.from(content).toString('base64');
  return b64.replace(/.{1,76}/g, '$&\r\n');
}

/** The text body, or text and HTML as a multipart/alternative part (plain text first). */
function bodyParts(message: MailMessage, boundary: string): string[] {
  const text = ['Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: base64', ''];
  if (message.html === undefined) return [...text, base64Lines(message.text)];
  return [
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    ...text,
    base64Lines(message.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(message.html),
    `--${boundary}--`,
  ];
}

/**
 * Builds a multipart/mixed MIME message (UTF-8 text body plus base64 attachments): SES SendEmail
 * cannot carry attachments, SendRawEmail takes exactly this.
 */
export function buildMimeMessage(message: MailMessage, boundary = `b-${randomUUID()}`): string {
  const parts = [
    `From: ${message.from}`,
    `To: ${message.to}`,
    `Subject: ${encodeHeader(message.subject)}`,
    ...Object.entries(message.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    ...bodyParts(message, `${boundary}-alt`),
  ];
  for (const a of message.attachments ?? []) {
    const name = encodeHeader(a.filename);
    parts.push(
      `--${boundary}`,
      `Content-Type: ${a.contentType}; name="${name}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${name}"`,
      '',
      base64Lines(a.content),
    );
  }
  parts.push(`--${boundary}--`, '');
  return parts.join('\r\n');
}

/**
 * SES SendRawEmail: the cloud's mailer, and the local stack's through aws-ses-v2-local. Without a
 * client it creates one on the first send.
 */
export class SesMailer implements Mailer {
  private readonly ses: () => Promise<SESClient>;

  constructor(ses: ClientSource<SESClient> = async () => new (await sesSdk()).SESClient({})) {
    this.ses = clientLoader(ses);
  }

  async send(message: MailMessage): Promise<{ messageId: string }> {
    const { SendRawEmailCommand } = await sesSdk();
    const out = await (await this.ses()).send(
      new SendRawEmailCommand({
        Source: message.from,
        Destinations: [message.to],
        RawMessage: { Data: Buffer.from(buildMimeMessage(message), 'utf8') },
      }),
    );
    return { messageId: out.MessageId ?? '' };
  }
}

/** Keeps sent messages in memory: for tests and for processes without mail. */
export class MemoryMailer implements Mailer {
  readonly sent: MailMessage[] = [];

  async send(message: MailMessage): Promise<{ messageId: string }> {
    this.sent.push(message);
    return { messageId: `memory-${this.sent.length}` };
  }
}
