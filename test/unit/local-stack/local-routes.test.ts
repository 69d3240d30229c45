import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, serveLocalRoute } from '../../../infra/local/local-routes.js';
import { SmsRecorder } from '../../../infra/local/sms-recorder.js';

/**
 * The local stack's own routes over a stand-in SES store: captured mail and SMS as escaped pages
 * and as JSON, and running a schedule by name, optionally as of an instant.
 */
const sms = new SmsRecorder(null);
const runs: Array<{ name: string; at: string | null }> = [];
let ses: Server;
let api: Server;
let base: string;

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

beforeAll(async () => {
  ses = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        emails: [
          {
            destination: { to: ['adam@demo.test'] },
            subject: 'Termín <script>alert(1)</script>',
            body: { text: 'Call "Jana" & co' },
            attachments: [
              {
                content: Buffer.from('%PDF-1.7 statement').toString('base64'),
                contentType: 'application/pdf',
                filename: 'výpis <1>.pdf',
                size: 18,
              },
            ],
            at: 1_900_000_000,
          },
        ],
      }),
    );
  });
  const sesUrl = await listen(ses);
  api = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void serveLocalRoute(req, res, url, {
      sms,
      sesUrl,
      scheduleNames: ['reminders', 'renewals'],
      runSchedule: async (name, at) => {
        runs.push({ name, at: at?.toISOString() ?? null });
        return { sent: 1 };
      },
    }).then((served) => {
      if (!served) {
        res.writeHead(404);
        res.end();
      }
    });
  });
  base = await listen(api);
  sms.record({ to: '+420601111222', message: 'Schůzka <b>zítra</b>' });
});

afterAll(async () => {
  await new Promise((r) => api.close(r));
  await new Promise((r) => ses.close(r));
});

describe('local routes', () => {
  it('shows captured mail as a page with every field escaped, and as { emails } JSON', async () => {
    const page = await fetch(`${base}/local/mail`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('Termín &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Call &quot;Jana&quot; &amp; co');
    expect(html).toContain('adam@demo.test');
    expect(html).toContain('2030-03-17T17:46:40.000Z');
    expect(html).not.toContain('<script>');
    const json = (await (await fetch(`${base}/local/mail.json`)).json()) as {
      emails: Array<{ subject: string }>;
    };
    expect(json.emails.map((e) => e.subject)).toEqual(['Termín <script>alert(1)</script>']);
  });

  it('lists attachments as links that download them', async () => {
    const html = await (await fetch(`${base}/local/mail`)).text();
    expect(html).toContain('<a href="/local/mail/0/attachments/0">výpis &lt;1&gt;.pdf</a> (18 B)');
    const file = await fetch(`${base}/local/mail/0/attachments/0`);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(await file.text()).toBe('%PDF-1.7 statement');
    expect((await fetch(`${base}/local/mail/0/attachments/1`)).status).toBe(404);
  });

  it('shows recorded SMS as a page and as { sms } JSON', async () => {
    expect(await (await fetch(`${base}/local/sms`)).text()).toContain('Schůzka &lt;b&gt;zítra&lt;/b&gt;');
    const json = (await (await fetch(`${base}/local/sms.json`)).json()) as { sms: Array<{ to: string }> };
    expect(json.sms.map((s) => s.to)).toEqual(['+420601111222']);
  });

  it('runs a schedule by name, as of a given instant, and refuses unknown names and bad instants', async () => {
    const ok = await fetch(`${base}/local/schedules/reminders/run?at=2030-01-20T07:10:00Z`, {
      method: 'POST',
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      schedule: 'reminders',
      at: '2030-01-20T07:10:00.000Z',
      result: { sent: 1 },
    });
    expect((await fetch(`${base}/local/schedules/nightly/run`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/local/schedules/renewals/run?at=tomorrow`, { method: 'POST' })).status).toBe(
      400,
    );
    expect(runs).toEqual([{ name: 'reminders', at: '2030-01-20T07:10:00.000Z' }]);
  });

  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
