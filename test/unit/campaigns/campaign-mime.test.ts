import { describe, expect, it } from 'vitest';
import { buildMimeMessage } from '../../../functions/shared/mailer.js';

describe('a campaign e-mail as MIME', () => {
  it('carries the List-Unsubscribe header and text and HTML as alternatives, text first', () => {
    const mime = buildMimeMessage(
      {
        from: 'offers@test',
        to: 'jana@example.test',
        subject: 'Jaro',
        text: 'Dear Jana',
        html: '<p>Dear Jana</p>',
        headers: { 'List-Unsubscribe': '<https://crm.test/unsubscribe/abc.def>' },
      },
      'b-1',
    );
    const lines = mime.split('\r\n');
    expect(lines).toContain('List-Unsubscribe: <https://crm.test/unsubscribe/abc.def>');
    expect(lines).toContain('Content-Type: multipart/alternative; boundary="b-1-alt"');
    const text = lines.indexOf('Content-Type: text/plain; charset=UTF-8');
    const html = lines.indexOf('Content-Type: text/html; charset=UTF-8');
    expect(text).toBeGreaterThan(0);
    expect(html).toBeGreaterThan(text);
    expect(mime).toContain(Buffer.from('<p>Dear Jana</p>').toString('base64'));
    expect(lines.at(-2)).toBe('--b-1--');
  });

  it('keeps a plain e-mail without HTML a single text part', () => {
    const mime = buildMimeMessage({ from: 'a@test', to: 'b@test', subject: 'S', text: 'T' }, 'b-2');
    expect(mime).not.toContain('multipart/alternative');
    expect(mime).not.toContain('List-Unsubscribe');
  });
});
