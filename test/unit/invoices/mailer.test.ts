import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { buildMimeMessage, SesMailer } from '../../../functions/shared/mailer.js';

const ses = mockClient(SESClient);
afterEach(() => ses.reset());

const pdf = new Uint8Array(Buffer.from('%PDF-1.7\nnot really a pdf\n%%EOF', 'latin1'));

/** The body of one MIME part after its blank line, base64-decoded. */
function decodedPart(mime: string, header: string): Buffer {
  const start = mime.indexOf(header);
  if (start < 0) throw new Error(`no part with ${header}`);
  const body = mime.slice(mime.indexOf('\r\n\r\n', start) + 4);
  return Buffer.from(body.slice(0, body.indexOf('\r\n--')).replace(/\r\n/g, ''), 'base64');
}

describe('SesMailer', () => {
  it('sends one SendRawEmail with the sender, the one recipient and the MIME message as bytes', async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'ses-123', $metadata: {} });
    const mailer = new SesMailer(new SESClient({ region: 'eu-central-1' }));

    const result = await mailer.send({
      from: 'crm@mail.example.com',
      to: 'jan.kral@example.com',
      subject: 'Invoice 2026-000001',
      text: 'Please find the invoice attached.',
      attachments: [{ filename: '2026-000001.pdf', contentType: 'application/pdf', content: pdf }],
    });

    expect(result).toEqual({ messageId: 'ses-123' });
    const calls = ses.commandCalls(SendRawEmailCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.Source).toBe('crm@mail.example.com');
    expect(input?.Destinations).toEqual(['jan.kral@example.com']);
    expect(input?.RawMessage?.Data).toBeInstanceOf(Uint8Array);
    const mime = Buffer.from(input?.RawMessage?.Data ?? new Uint8Array()).toString('utf8');
    expect(mime).toMatch(
      /^From: crm@mail\.example\.com\r\nTo: jan\.kral@example\.com\r\nSubject: Invoice 2026-000001\r\n/,
    );
    expect(mime).toContain('Content-Type: multipart/mixed; boundary="');
    expect(decodedPart(mime, 'Content-Type: text/plain').toString('utf8')).toBe(
      'Please find the invoice attached.',
    );
    expect(mime).toContain('Content-Disposition: attachment; filename="2026-000001.pdf"');
    expect(decodedPart(mime, 'Content-Type: application/pdf').equals(Buffer.from(pdf))).toBe(true);
  });

  it('lets an SES failure reach the caller, so the dunning step stays pending for the retry', async () => {
    ses.on(SendRawEmailCommand).rejects(new Error('Throttling: Maximum sending rate exceeded'));
    const mailer = new SesMailer(new SESClient({ region: 'eu-central-1' }));
    await expect(
      mailer.send({ from: 'a@example.com', to: 'b@example.com', subject: 's', text: 't' }),
    ).rejects.toThrow('Maximum sending rate exceeded');
  });
});

describe('buildMimeMessage', () => {
  it('encodes a non-ASCII subject and file name as RFC 2047 words and the body as UTF-8 base64', () => {
    const mime = buildMimeMessage(
      {
        from: 'crm@mail.example.com',
        to: 'jan@example.com',
        subject: 'Upomínka: faktura č. 2026-000007',
        text: 'Dlužná částka 1 234,50 Kč',
        attachments: [{ filename: 'výzva.pdf', contentType: 'application/pdf', content: pdf }],
      },
      'fixed-boundary',
    );
    const word = `=?UTF-8?B?${Buffer.from('Upomínka: faktura č. 2026-000007').toString('base64')}?=`;
    expect(mime).toContain(`Subject: ${word}\r\n`);
    expect(mime).toContain(`filename="=?UTF-8?B?${Buffer.from('výzva.pdf').toString('base64')}?="`);
    expect(decodedPart(mime, 'Content-Type: text/plain').toString('utf8')).toBe('Dlužná částka 1 234,50 Kč');
    expect(mime.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect(mime.endsWith('--fixed-boundary--\r\n')).toBe(true);
  });

  it('sends a message without attachments as a single text part', () => {
    const mime = buildMimeMessage({ from: 'a@x.test', to: 'b@x.test', subject: 'Hi', text: 'Body' }, 'b1');
    expect(mime.match(/^--b1$/gm)).toHaveLength(1);
    expect(mime).not.toContain('Content-Disposition');
  });
});
