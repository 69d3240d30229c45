import { loadPdfFonts } from '../../shared/pdf-fonts.js';
import { embedFontsAndCollect } from '../../shared/pdf-output.js';
import type { SubjectDocument } from './gdpr.model.js';
import type { SubjectEnumGroup } from './ports.js';
import {
  type SubjectLanguage,
  type SubjectMessage,
  subjectCode,
  subjectText,
} from './subject-pdf-messages.js';

const MARGIN = 56;

/** Who the export comes from and how it speaks: the brokerage's name, language and time zone. */
export interface SubjectPdfContext {
  tenantName: string | null;
  language: SubjectLanguage;
  locale: string;
  timeZone: string;
  /** Enum values in words, by `<group>.<value>` (looked up before rendering). */
  enums: ReadonlyMap<string, string>;
}

type Row = Record<string, unknown>;

/** Fields of a client record a change of which the person is told about, by their label. */
const PERSONAL_FIELDS: Record<string, SubjectMessage> = {
  name: 'name',
  birthDate: 'birthDate',
  nationalId: 'nationalId',
  taxId: 'taxId',
  email: 'email',
  phone: 'phone',
  address: 'address',
  status: 'status',
  segment: 'segment',
  consents: 'consents',
};

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** The enum values a document prints, as `<group>.<value>`: looked up once, before rendering. */
export function enumKeysOf(document: SubjectDocument): Array<{ group: SubjectEnumGroup; value: string }> {
  const s = document.sections as Record<string, Row[]>;
  const keys = new Map<string, { group: SubjectEnumGroup; value: string }>();
  const add = (group: SubjectEnumGroup, value: unknown) => {
    if (typeof value === 'string') keys.set(`${group}.${value}`, { group, value });
  };
  for (const c of s.client ?? []) {
    add('clientStatus', c.status);
    add('segment', c.segment);
  }
  for (const p of s.policies ?? []) add('policyStatus', p.status);
  for (const i of s.invoices ?? []) add('invoiceStatus', i.status);
  return [...keys.values()];
}

/**
 * The export as a letter to the person it is about: the brokerage and the date, their details,
 * consents, policies, invoices, the history of their record, tasks, e-mails and changes, each in
 * the brokerage's language, with dates and money as they read them. Internal ids and bookkeeping
 * fields stay in the JSON copy. pdfkit and the embedded fonts are imported only when an export runs.
 */
export async function renderSubjectPdf(
  document: SubjectDocument,
  ctx: SubjectPdfContext,
): Promise<Uint8Array> {
  const [{ default: PDFDocument }, fonts] = await Promise.all([import('pdfkit'), loadPdfFonts()]);
  const pdf = new PDFDocument({
    size: 'A4',
    bufferPages: true,
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    info: { Title: subjectText(ctx.language, 'title'), Producer: 'Broker CRM' },
  });
  const done = embedFontsAndCollect(pdf, fonts);
  const t = (key: SubjectMessage) => subjectText(ctx.language, key);
  const date = (iso: unknown) => {
    const v = str(iso);
    if (!v) return '—';
    const at = new Date(v.length === 10 ? `${v}T12:00:00Z` : v);
    return Number.isNaN(at.getTime())
      ? v
      : new Intl.DateTimeFormat(ctx.locale, { dateStyle: 'medium', timeZone: ctx.timeZone }).format(at);
  };
  const money = (m: unknown, currency?: unknown) => {
    const amount = m && typeof m === 'object' ? (m as Row).amount : m;
    const cur = (m && typeof m === 'object' ? (m as Row).currency : currency) as string | undefined;
    if (typeof amount !== 'string' || !cur) return '—';
    // Intl formats the decimal string as written (no binary float in between for these sizes).
    return new Intl.NumberFormat(ctx.locale, { style: 'currency', currency: cur }).format(amount as never);
  };
  const word = (group: SubjectEnumGroup, value: unknown) =>
    typeof value === 'string' ? (ctx.enums.get(`${group}.${value}`) ?? value) : '—';
  const width = pdf.page.width - 2 * MARGIN;
  const heading = (key: SubjectMessage, count?: number) => {
    pdf.moveDown(1.1).font('bold').fontSize(12).fillColor('#1f3a5f');
    pdf.text(count === undefined ? t(key) : `${t(key)} (${count})`);
    pdf
      .moveTo(MARGIN, pdf.y + 2)
      .lineTo(MARGIN + width, pdf.y + 2)
      .strokeColor('#c8d3e0')
      .stroke();
    pdf.moveDown(0.5).font('body').fontSize(10).fillColor('#000000');
  };
  const line = (text: string) => pdf.text(text, { width });
  const list = (rows: Row[], format: (r: Row) => string) => {
    if (rows.length === 0) line(t('none'));
    for (const r of rows) line(`• ${format(r)}`);
  };

  const s = document.sections as Record<string, Row[]>;
  const client = s.client?.[0] ?? {};

  pdf.font('bold').fontSize(18).fillColor('#1f3a5f').text(t('title'));
  pdf.moveDown(0.3).font('body').fontSize(10).fillColor('#444444');
  pdf.text([ctx.tenantName, `${t('prepared')} ${date(document.exportedAt)}`].filter(Boolean).join(' · '));
  pdf.moveDown(0.8).fillColor('#000000').text(t('intro'), { width });

  heading('details');
  const address = client.address && typeof client.address === 'object' ? (client.address as Row) : null;
  const addressText = address
    ? [address.street, [address.postalCode, address.city].filter(Boolean).join(' '), address.country]
        .filter((p) => typeof p === 'string' && p !== '')
        .join(', ')
    : null;
  const details: Array<[SubjectMessage, string | null]> = [
    ['name', str(client.name)],
    ['birthDate', client.birthDate ? date(client.birthDate) : null],
    ['nationalId', str(client.nationalId)],
    ['taxId', str(client.taxId)],
    ['email', str(client.email)],
    ['phone', str(client.phone)],
    ['address', addressText],
    ['status', client.status ? word('clientStatus', client.status) : null],
    ['segment', client.segment ? word('segment', client.segment) : null],
    ['clientSince', client.createdAt ? date(client.createdAt) : null],
  ];
  for (const [key, value] of details) {
    if (value === null) continue;
    const y = pdf.y;
    pdf.font('bold').text(t(key), MARGIN, y, { width: 150 });
    const labelBottom = pdf.y;
    pdf.font('body').text(value, MARGIN + 160, y, { width: width - 160 });
    pdf.y = Math.max(pdf.y, labelBottom);
    pdf.x = MARGIN;
  }

  heading('consents', (s.consents ?? []).length);
  list(s.consents ?? [], (c) =>
    [
      subjectCode(ctx.language, 'channel', c.channel),
      c.granted ? t('given') : t('withdrawn'),
      date(c.at),
      str(c.how),
    ]
      .filter(Boolean)
      .join(' · '),
  );

  heading('policies', (s.policies ?? []).length);
  list(s.policies ?? [], (p) =>
    [
      str(p.policyNumber),
      str(p.productLineCode),
      `${date(p.termStart)} – ${date(p.termEnd)}`,
      money(p.premium),
      word('policyStatus', p.status),
    ]
      .filter(Boolean)
      .join(' · '),
  );

  heading('invoices', (s.invoices ?? []).length);
  list(s.invoices ?? [], (i) =>
    [
      str(i.number),
      `${t('issued')} ${date(i.issueDate)}`,
      `${t('due')} ${date(i.dueDate)}`,
      money(i.total, i.currency),
      word('invoiceStatus', i.status),
    ].join(' · '),
  );

  const byTime = (field: string) => (a: Row, b: Row) =>
    String(a[field] ?? '').localeCompare(String(b[field] ?? ''));
  heading('history', (s.timeline ?? []).length);
  list([...(s.timeline ?? [])].sort(byTime('at')), (e) =>
    [date(e.at), str(e.summary), e.text === e.summary ? null : str(e.text)].filter(Boolean).join(' — '),
  );

  heading('tasks', (s.tasks ?? []).length);
  list([...(s.tasks ?? [])].sort(byTime('dueAt')), (k) =>
    [date(k.dueAt), str(k.title), str(k.outcome)].filter(Boolean).join(' — '),
  );

  heading('emails', (s.emails ?? []).length);
  list(s.emails ?? [], (m) =>
    [
      date(m.sentAt ?? m.updatedAt ?? m.createdAt),
      str(m.subject) ?? str(m.templateKey) ?? str(m.campaignName),
    ]
      .filter(Boolean)
      .join(' — '),
  );

  heading('changes', (s.auditTrail ?? []).length);
  list([...(s.auditTrail ?? [])].sort(byTime('at')), (a) => {
    const before = a.before && typeof a.before === 'object' ? (a.before as Row) : {};
    const after = a.after && typeof a.after === 'object' ? (a.after as Row) : {};
    // Only the person's own details are named; bookkeeping fields are not news to them.
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((k) => k in PERSONAL_FIELDS && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
      .map((k) => t(PERSONAL_FIELDS[k] as SubjectMessage));
    const named =
      a.action === 'UPDATED' && changed.length > 0 ? `${t('changedFields')}: ${changed.join(', ')}` : null;
    return [date(a.at), subjectCode(ctx.language, 'action', a.action), named].filter(Boolean).join(' — ');
  });

  // The archived messages are listed; their content (the insurers' own fields) is in the JSON copy.
  heading('insurerMessages', (s.insurerMessages ?? []).length);
  list([...(s.insurerMessages ?? [])].sort(byTime('receivedAt')), (m) =>
    [
      date(m.receivedAt),
      `${t('insurer')} ${String(m.insurerId)}`,
      `${t('events')}: ${Array.isArray(m.events) ? m.events.length : '—'}`,
    ].join(' — '),
  );

  const contacts = (s.contacts ?? []).length;
  if (contacts > 0) {
    heading('contacts', contacts);
    line('—');
  }

  const range = pdf.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    // Inside the bottom margin pdfkit would start a new page for the footer: lift the margin first.
    pdf.page.margins.bottom = 0;
    pdf.font('body').fontSize(8).fillColor('#777777');
    pdf.text(`${t('page')} ${i + 1} / ${range.count}`, MARGIN, pdf.page.height - MARGIN + 16, {
      width,
      align: 'right',
      lineBreak: false,
    });
  }
  pdf.end();
  return done;
}
