import { isZero, type Money } from '../../shared/money.js';
import type { Invoice } from './invoices.model.js';
import type { InvoiceSupplier } from './lookups.js';
import { drawQr, paymentQrPayload } from './payment-qr.js';

/** Who issues the document: the tenant's name and locale, and its supplier details once set. */
export interface Issuer {
  name: string;
  locale: string;
  supplier?: InvoiceSupplier | null;
}

/** The client as the invoice addresses them. */
export interface BillTo {
  name: string;
  address: { street: string; city: string; postalCode: string; country: string } | null;
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
  companyId: string;
  vatId: string;
  bankAccount: string;
  payByQr: string;
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
    companyId: 'Company ID',
    vatId: 'VAT ID',
    bankAccount: 'Bank account',
    payByQr: 'Scan to pay',
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
    companyId: 'IČO',
    vatId: 'DIČ',
    bankAccount: 'Bankovní účet',
    payByQr: 'QR platba',
    letterTitle: 'Předžalobní výzva k úhradě',
    letterBody: (n, due, amount, days) =>
      `Faktura ${n} splatná ${due} je ${days} dní po splatnosti. Částka ${amount} zůstává neuhrazena. ` +
      'Uhraďte ji prosím do 8 dnů od doručení této výzvy, jinak pohledávku předáme k vymáhání.',
  },
  pl: {
    invoice: 'Faktura',
    number: 'Numer',
    issueDate: 'Data wystawienia',
    dueDate: 'Termin płatności',
    billTo: 'Nabywca',
    description: 'Opis',
    quantity: 'Ilość',
    unitPrice: 'Cena jedn.',
    lineTotal: 'Kwota',
    total: 'Razem',
    paid: 'Zapłacono',
    outstanding: 'Do zapłaty',
    reference: 'Tytuł płatności',
    companyId: 'REGON',
    vatId: 'NIP',
    bankAccount: 'Rachunek bankowy',
    payByQr: 'Zapłać kodem QR',
    letterTitle: 'Przedsądowe wezwanie do zapłaty',
    letterBody: (n, due, amount, days) =>
      `Faktura ${n} z terminem płatności ${due} jest przeterminowana o ${days} dni. Kwota ${amount} pozostaje niezapłacona. ` +
      'Prosimy o zapłatę w ciągu 8 dni od otrzymania wezwania; w przeciwnym razie przekażemy należność do windykacji.',
  },
  lt: {
    invoice: 'Sąskaita faktūra',
    number: 'Numeris',
    issueDate: 'Išrašymo data',
    dueDate: 'Apmokėti iki',
    billTo: 'Pirkėjas',
    description: 'Aprašymas',
    quantity: 'Kiekis',
    unitPrice: 'Vieneto kaina',
    lineTotal: 'Suma',
    total: 'Iš viso',
    paid: 'Sumokėta',
    outstanding: 'Mokėtina suma',
    reference: 'Mokėjimo paskirtis',
    companyId: 'Įmonės kodas',
    vatId: 'PVM kodas',
    bankAccount: 'Banko sąskaita',
    payByQr: 'Mokėti QR kodu',
    letterTitle: 'Pretenzija dėl pradelsto mokėjimo',
    letterBody: (n, due, amount, days) =>
      `Sąskaita ${n}, kurios apmokėjimo terminas ${due}, pradelsta ${days} d. Suma ${amount} liko nesumokėta. ` +
      'Prašome ją sumokėti per 8 dienas nuo šio rašto gavimo; priešingu atveju skolą perduosime išieškoti.',
  },
  it: {
    invoice: 'Fattura',
    number: 'Numero',
    issueDate: 'Data di emissione',
    dueDate: 'Scadenza',
    billTo: 'Cliente',
    description: 'Descrizione',
    quantity: 'Qtà',
    unitPrice: 'Prezzo unitario',
    lineTotal: 'Importo',
    total: 'Totale',
    paid: 'Pagato',
    outstanding: 'Da pagare',
    reference: 'Causale',
    companyId: 'Codice fiscale',
    vatId: 'Partita IVA',
    bankAccount: 'Conto bancario',
    payByQr: 'Paga con QR',
    letterTitle: 'Diffida di pagamento',
    letterBody: (n, due, amount, days) =>
      `La fattura ${n}, scaduta il ${due}, è insoluta da ${days} giorni. L'importo di ${amount} non è stato pagato. ` +
      'La preghiamo di saldarlo entro 8 giorni dal ricevimento della presente; in caso contrario affideremo il credito al recupero.',
  },
  ru: {
    invoice: 'Счёт',
    number: 'Номер',
    issueDate: 'Дата выставления',
    dueDate: 'Срок оплаты',
    billTo: 'Плательщик',
    description: 'Описание',
    quantity: 'Кол-во',
    unitPrice: 'Цена за ед.',
    lineTotal: 'Сумма',
    total: 'Итого',
    paid: 'Оплачено',
    outstanding: 'К оплате',
    reference: 'Назначение платежа',
    companyId: 'Рег. номер',
    vatId: 'ИНН/НДС',
    bankAccount: 'Банковский счёт',
    payByQr: 'Оплата по QR-коду',
    letterTitle: 'Досудебная претензия',
    letterBody: (n, due, amount, days) =>
      `Счёт ${n} со сроком оплаты ${due} просрочен на ${days} дн. Сумма ${amount} не оплачена. ` +
      'Просим оплатить её в течение 8 дней с момента получения этого письма; иначе мы передадим задолженность на взыскание.',
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

/**
 * pdfkit (with fontkit and brotli) and the embedded DejaVu fonts are loaded on the first PDF, not at
 * cold start: the functions that never render one do not pay for them. DejaVu carries Latin Extended
 * and Cyrillic, so "Číslo" and "Řízení" print as written.
 */
async function render(draw: (doc: PDFKit.PDFDocument) => Promise<void> | void): Promise<Uint8Array> {
  const [{ default: PDFDocument }, { loadPdfFonts }, { embedFontsAndCollect }] = await Promise.all([
    import('pdfkit'),
    import('../../shared/pdf-fonts.js'),
    import('../../shared/pdf-output.js'),
  ]);
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Producer: 'Broker CRM' } });
  const done = embedFontsAndCollect(doc, await loadPdfFonts());
  doc.font('body');
  await draw(doc);
  doc.end();
  return done;
}

/** IBAN in groups of four, as people read it. */
const grouped = (iban: string) => iban.replace(/(.{4})/g, '$1 ').trim();

function addressLines(a: BillTo['address']): string[] {
  return a ? [a.street, `${a.postalCode} ${a.city}`, a.country] : [];
}

/**
 * Renders an issued invoice in the tenant's locale: the supplier (registered name, address, company
 * and VAT ids), the client and their address, a ruled table of lines, totals, the tax note, the bank
 * account and payment reference, and a payment QR code (EPC for euros, SPD for Czech crowns).
 */
export function renderInvoicePdf(invoice: Invoice, issuer: Issuer, billTo?: BillTo): Promise<Uint8Array> {
  const l = labelsFor(issuer.locale);
  const fm = (m: Money) => formatMoney(m, issuer.locale);
  const s = issuer.supplier ?? null;
  return render(async (doc) => {
    const left = 50;
    const width = doc.page.width - 100;
    doc
      .font('bold')
      .fontSize(11)
      .text(s?.registeredName ?? issuer.name, left, 50);
    doc.font('body').fontSize(9);
    for (const line of addressLines(s?.address ?? null)) doc.text(line);
    if (s?.companyId) doc.text(`${l.companyId}: ${s.companyId}`);
    if (s?.vatId) doc.text(`${l.vatId}: ${s.vatId}`);
    const afterSupplier = doc.y;
    doc
      .font('bold')
      .fontSize(20)
      .text(`${l.invoice} ${invoice.number ?? ''}`, left, 50, { width, align: 'right' });
    doc.font('body').fontSize(9);
    const meta = [
      `${l.number}: ${invoice.number ?? ''}`,
      ...(invoice.issueDate ? [`${l.issueDate}: ${formatDate(invoice.issueDate, issuer.locale)}`] : []),
      `${l.dueDate}: ${formatDate(invoice.dueDate, issuer.locale)}`,
      `${l.reference}: ${invoice.reference ?? ''}`,
    ];
    for (const line of meta) doc.text(line, { width, align: 'right' });
    doc.y = Math.max(doc.y, afterSupplier) + 20;

    doc.font('bold').fontSize(9).text(`${l.billTo}:`, left);
    doc
      .font('body')
      .fontSize(10)
      .text(billTo?.name ?? invoice.clientName);
    doc.fontSize(9);
    for (const line of addressLines(billTo?.address ?? null)) doc.text(line);
    doc.moveDown(1.5);

    const cols = [
      { label: l.description, w: 0.46, align: 'left' as const },
      { label: l.quantity, w: 0.12, align: 'right' as const },
      { label: l.unitPrice, w: 0.21, align: 'right' as const },
      { label: l.lineTotal, w: 0.21, align: 'right' as const },
    ];
    const row = (cells: string[], font: string, fill: string | null) => {
      doc.font(font).fontSize(9);
      const h =
        Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: (cols[i]?.w ?? 0) * width - 8 }))) + 8;
      const y = doc.y;
      if (fill) doc.rect(left, y, width, h).fill(fill);
      doc.fillColor('#000000');
      let x = left;
      cells.forEach((c, i) => {
        const col = cols[i] as (typeof cols)[number];
        doc.text(c, x + 4, y + 4, { width: col.w * width - 8, align: col.align });
        x += col.w * width;
      });
      doc
        .moveTo(left, y + h)
        .lineTo(left + width, y + h)
        .lineWidth(0.4)
        .strokeColor('#999999')
        .stroke();
      doc.x = left;
      doc.y = y + h;
    };
    row(
      cols.map((c) => c.label),
      'bold',
      '#e4e8ee',
    );
    for (const line of invoice.lines)
      row([line.description, line.quantity, fm(line.unitPrice), fm(line.total)], 'body', null);
    doc.moveDown(0.8);

    const totals = [
      `${l.total}: ${fm(invoice.total)}`,
      ...(!isZero(invoice.paid) ? [`${l.paid}: ${fm(invoice.paid)}`] : []),
    ];
    doc.font('body').fontSize(10);
    for (const t of totals) doc.text(t, left, doc.y, { width, align: 'right' });
    doc
      .font('bold')
      .fontSize(12)
      .text(`${l.outstanding}: ${fm(invoice.outstanding)}`, left, doc.y, { width, align: 'right' });
    doc.font('body').fontSize(9);
    if (s?.taxNote) doc.moveDown().text(s.taxNote, left, doc.y, { width });
    if (!s) return;

    doc.moveDown(1.5);
    const top = doc.y;
    doc.font('bold').fontSize(10).text(`${l.bankAccount}:`, left, top);
    doc.font('body').fontSize(10).text(grouped(s.bankAccount.iban));
    if (s.bankAccount.bic) doc.text(`BIC: ${s.bankAccount.bic}`);
    if (s.bankAccount.bankName) doc.text(s.bankAccount.bankName);
    doc.text(`${l.reference}: ${invoice.reference ?? ''}`);
    const payload = isZero(invoice.outstanding)
      ? null
      : paymentQrPayload({
          iban: s.bankAccount.iban,
          bic: s.bankAccount.bic,
          beneficiary: s.registeredName,
          amount: invoice.outstanding,
          reference: invoice.reference ?? invoice.number ?? '',
          message: `${l.invoice} ${invoice.number ?? ''}`,
        });
    if (payload) {
      const size = 110;
      const x = left + width - size;
      await drawQr(doc, payload, x, top, size);
      doc
        .font('body')
        .fontSize(8)
        .text(l.payByQr, x, top + size + 2, { width: size, align: 'center' });
    }
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
    doc.fontSize(10).text(issuer.supplier?.registeredName ?? issuer.name);
    doc.text(formatDate(today, issuer.locale));
    doc.moveDown();
    doc.text(invoice.clientName);
    doc.moveDown();
    doc.font('bold').fontSize(16).text(l.letterTitle);
    doc.font('body').moveDown().fontSize(11);
    doc.text(
      l.letterBody(
        invoice.number ?? '',
        formatDate(invoice.dueDate, issuer.locale),
        formatMoney(invoice.outstanding, issuer.locale),
        daysOverdue,
      ),
    );
  });
}
