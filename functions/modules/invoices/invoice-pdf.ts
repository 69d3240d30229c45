import { isZero, type Money } from '../../shared/money.js';
import type { Invoice } from './invoices.model.js';

/** Who issues the document: the tenant's name, locale and time zone come from its settings. */
export interface Issuer {
  name: string;
  locale: string;
}

type Labels = {
  invoice: string;
  number: string;
  issueDate: string;
  dueDate: string;
  billTo: string;
  description: string;
  quantity: string;
  unitPrice: string;
  lineTotal: string;
  total: string;
  paid: string;
  outstanding: string;
  reference: string;
  letterTitle: string;
  letterBody: (number: string, due: string, amount: string, days: number) => string;
};

const LABELS: Record<string, Labels> = {
  en: {
    invoice: 'Invoice',
    number: 'Number',
    issueDate: 'Issue date',
    dueDate: 'Due date',
    billTo: 'Bill to',
    description: 'Description',
    quantity: 'Qty',
    unitPrice: 'Unit price',
    lineTotal: 'Amount',
    total: 'Total',
    paid: 'Paid',
    outstanding: 'Amount due',
    reference: 'Payment reference',
    letterTitle: 'Formal notice of overdue payment',
    letterBody: (n, due, amount, days) =>
      `Invoice ${n}, due on ${due}, is ${days} days overdue. The amount of ${amount} remains unpaid. ` +
      'Please pay it within 8 days of receiving this letter; otherwise we will pass the claim on for collection.',
  },
  cs: {
    invoice: 'Faktura',
    number: 'Číslo',
    issueDate: 'Datum vystavení',
    dueDate: 'Datum splatnosti',
    billTo: 'Odběratel',
    description: 'Popis',
    quantity: 'Množství',
    unitPrice: 'Cena za jednotku',
    lineTotal: 'Částka',
    total: 'Celkem',
    paid: 'Uhrazeno',
    outstanding: 'K úhradě',
    reference: 'Variabilní symbol',
    letterTitle: 'Předžalobní výzva k úhradě',
    letterBody: (n, due, amount, days) =>
      `Faktura ${n} splatná ${due} je ${days} dní po splatnosti. Částka ${amount} zůstává neuhrazena. ` +
      'Uhraďte ji prosím do 8 dnů od doručení této výzvy, jinak pohledávku předáme k vymáhání.',
  },
};

function labelsFor(locale: string): Labels {
  return LABELS[locale.split('-')[0]?.toLowerCase() ?? 'en'] ?? (LABELS.en as Labels);
}

/** Amount in the locale's format; Intl formats the decimal string exactly (no float conversion). */
export function formatMoney(m: Money, locale: string): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency });
  return format.format(m.amount as unknown as number);
}

export function formatDate(isoDate: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'medium' }).format(
    new Date(`${isoDate}T00:00:00Z`),
  );
}

// The standard PDF fonts (no font file to ship in the Lambda bundle) encode WinAnsi only: characters
// outside it lose their accents (č → c) rather than turning into garbage glyphs.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
function pdfText(value: string): string {
  let out = '';
  for (const ch of value.replace(/[\u202f\u2009\u2007]/g, ' ')) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x7f || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else {
      const base = ch.normalize('NFD').replace(/\p{Diacritic}/gu, '');
      out += base.length === 1 && (base.codePointAt(0) ?? 0) < 0x7f ? base : '?';
    }
  }
  return out;
}

/**
 * pdfkit (with fontkit and brotli, a third of the bundle) is loaded on the first PDF, not at cold
 * start: the functions that never render one do not pay for it.
 */
async function render(draw: (doc: PDFKit.PDFDocument) => void): Promise<Uint8Array> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Producer: 'Broker CRM' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });
  doc.font('Helvetica');
  draw(doc);
  doc.end();
  return done;
}

/** Renders an issued invoice as a PDF in the tenant's locale: header, lines, totals, payment reference. */
export function renderInvoicePdf(invoice: Invoice, issuer: Issuer): Promise<Uint8Array> {
  const l = labelsFor(issuer.locale);
  const fm = (m: Money) => pdfText(formatMoney(m, issuer.locale));
  return render((doc) => {
    doc.fontSize(10).text(pdfText(issuer.name));
    doc.moveDown();
    doc.fontSize(20).text(pdfText(`${l.invoice} ${invoice.number ?? ''}`));
    doc.moveDown(0.5).fontSize(10);
    doc.text(pdfText(`${l.number}: ${invoice.number ?? ''}`));
    if (invoice.issueDate)
      doc.text(pdfText(`${l.issueDate}: ${formatDate(invoice.issueDate, issuer.locale)}`));
    doc.text(pdfText(`${l.dueDate}: ${formatDate(invoice.dueDate, issuer.locale)}`));
    doc.text(pdfText(`${l.reference}: ${invoice.reference ?? ''}`));
    doc.moveDown();
    doc.text(pdfText(`${l.billTo}: ${invoice.clientName}`));
    doc.moveDown();
    doc.text(pdfText(`${l.description} | ${l.quantity} | ${l.unitPrice} | ${l.lineTotal}`));
    for (const line of invoice.lines) {
      doc.text(pdfText(`${line.description} | ${line.quantity} | ${fm(line.unitPrice)} | ${fm(line.total)}`));
    }
    doc.moveDown();
    doc.fontSize(12).text(pdfText(`${l.total}: ${fm(invoice.total)}`));
    if (!isZero(invoice.paid)) doc.text(pdfText(`${l.paid}: ${fm(invoice.paid)}`));
    doc.text(pdfText(`${l.outstanding}: ${fm(invoice.outstanding)}`));
  });
}

/** Renders the formal letter of the last dunning step. */
export function renderDunningLetterPdf(
  invoice: Invoice,
  issuer: Issuer,
  daysOverdue: number,
  today: string,
): Promise<Uint8Array> {
  const l = labelsFor(issuer.locale);
  return render((doc) => {
    doc.fontSize(10).text(pdfText(issuer.name));
    doc.text(pdfText(formatDate(today, issuer.locale)));
    doc.moveDown();
    doc.text(pdfText(invoice.clientName));
    doc.moveDown();
    doc.fontSize(16).text(pdfText(l.letterTitle));
    doc.moveDown().fontSize(11);
    doc.text(
      pdfText(
        l.letterBody(
          invoice.number ?? '',
          formatDate(invoice.dueDate, issuer.locale),
          formatMoney(invoice.outstanding, issuer.locale),
          daysOverdue,
        ),
      ),
    );
  });
}
