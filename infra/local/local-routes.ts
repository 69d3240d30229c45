import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SmsRecorder } from './sms-recorder.js';

/** An e-mail as the SES emulator keeps it (`GET /store`). */
interface CapturedMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  /** Base64 content, as the emulator keeps it. */
  attachments?: Array<{ content: string; contentType: string; filename?: string; size: number }>;
  at: number;
  [extra: string]: unknown;
}

/** What the local-only routes need from the stack. */
export interface LocalRouteDeps {
  sms: SmsRecorder;
  sesUrl: string;
  /** Runs a catalog schedule now (as of `at`) and waits for the changes it wrote to be delivered. */
  runSchedule(name: string, at?: Date): Promise<unknown>;
  scheduleNames: readonly string[];
}

const SCHEDULE_RUN = /^\/local\/schedules\/([a-z0-9-]+)\/run$/;
/** `/local/mail/{n}/attachments/{i}`: the i-th attachment of the n-th captured e-mail (both from 0). */
const ATTACHMENT = /^\/local\/mail\/(\d+)\/attachments\/(\d+)$/;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, 'application/json', JSON.stringify(body));

function page(
  title: string,
  rows: Array<{
    to: string;
    subject?: string;
    date: string;
    body: string;
    attachments?: Array<{ href: string; name: string; size: number }>;
  }>,
): string {
  const items = rows
    .map(
      (r) =>
        `<article><h2>${escapeHtml(r.subject ?? r.to)}</h2><p><b>To:</b> ${escapeHtml(r.to)} · <b>Date:</b> ${escapeHtml(r.date)}</p><pre>${escapeHtml(r.body)}</pre>${
          r.attachments?.length
            ? `<p><b>Attachments:</b> ${r.attachments.map((a) => `<a href="${escapeHtml(a.href)}">${escapeHtml(a.name)}</a> (${a.size} B)`).join(', ')}</p>`
            : ''
        }</article>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}article{border-bottom:1px solid #ccc;padding:.5rem 0}pre{white-space:pre-wrap}</style></head><body><h1>${escapeHtml(title)} (${rows.length})</h1>${items || '<p>Nothing yet.</p>'}</body></html>`;
}

async function capturedMail(sesUrl: string): Promise<CapturedMail[]> {
  const store = await fetch(`${sesUrl}/store`);
  return ((await store.json()) as { emails: CapturedMail[] }).emails;
}

/**
 * The local stack's own routes: captured e-mail and SMS as readable pages (`/local/mail`,
 * `/local/sms`) and as JSON for scripts and tests (`/local/mail.json` → `{ emails }`,
 * `/local/sms.json` → `{ sms }`), and `POST /local/schedules/{name}/run[?at=<ISO instant>]`, which
 * runs a catalog schedule now. Answers true when it served the request.
 */
export async function serveLocalRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: LocalRouteDeps,
): Promise<boolean> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'GET' && url.pathname === '/local/mail.json') {
    json(res, 200, { emails: await capturedMail(deps.sesUrl) });
    return true;
  }
  if (method === 'GET' && url.pathname === '/local/sms.json') {
    json(res, 200, { sms: deps.sms.messages });
    return true;
  }
  if (method === 'GET' && url.pathname === '/local/mail') {
    const rows = (await capturedMail(deps.sesUrl)).map((m, n) => ({
      to: m.destination.to.join(', '),
      subject: m.subject,
      date: new Date(m.at * 1000).toISOString(),
      body: m.body.text ?? m.body.html ?? '',
      attachments: (m.attachments ?? []).map((a, i) => ({
        href: `/local/mail/${n}/attachments/${i}`,
        name: a.filename ?? `attachment-${i + 1}`,
        size: a.size,
      })),
    }));
    send(res, 200, 'text/html; charset=utf-8', page('Captured e-mail', rows.reverse()));
    return true;
  }
  const attachment = ATTACHMENT.exec(url.pathname);
  if (attachment && method === 'GET') {
    const mail = (await capturedMail(deps.sesUrl))[Number(attachment[1])];
    const file = mail?.attachments?.[Number(attachment[2])];
    if (!file) {
      json(res, 404, { message: 'No such attachment' });
      return true;
    }
    const name = (file.filename ?? 'attachment').replaceAll('"', '');
    res.writeHead(200, {
      'content-type': file.contentType,
      'content-disposition': `inline; filename="${encodeURIComponent(name)}"`,
    });
    res.end(Buffer.from(file.content, 'base64'));
    return true;
  }
  if (method === 'GET' && url.pathname === '/local/sms') {
    const rows = deps.sms.messages.map((s) => ({ to: s.to, date: s.at, body: s.message }));
    send(res, 200, 'text/html; charset=utf-8', page('Recorded SMS', [...rows].reverse()));
    return true;
  }
  const run = SCHEDULE_RUN.exec(url.pathname);
  if (run && method === 'POST') {
    const name = run[1] ?? '';
    if (!deps.scheduleNames.includes(name)) {
      json(res, 404, { message: `No schedule named ${name}`, schedules: deps.scheduleNames });
      return true;
    }
    const atParam = url.searchParams.get('at');
    const at = atParam === null ? undefined : new Date(atParam);
    if (at && Number.isNaN(at.getTime())) {
      json(res, 400, { message: 'at must be an ISO instant, e.g. 2026-12-01T07:00:00Z' });
      return true;
    }
    try {
      const result = await deps.runSchedule(name, at);
      json(res, 200, { schedule: name, at: (at ?? new Date()).toISOString(), result: result ?? null });
    } catch (error) {
      json(res, 500, { schedule: name, error: (error as Error).message });
    }
    return true;
  }
  return false;
}
