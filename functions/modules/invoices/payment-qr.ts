import type { Money } from '../../shared/money.js';

/** Where and how an invoice is paid: what a banking app needs from the QR code. */
export interface PaymentOrder {
  iban: string;
  bic: string | null;
  beneficiary: string;
  amount: Money;
  /** The invoice's payment reference (its digits are the Czech variable symbol). */
  reference: string;
  /** Free text shown to the payer, e.g. "Invoice 2026-000042". */
  message: string;
}

/**
 * EPC069-12 "SEPA Credit Transfer" QR payload (version 002, UTF-8): the lines European banking apps
 * read. The reference goes in the unstructured remittance field (at most 140 characters).
 */
export function epcPayload(order: PaymentOrder): string {
  if (order.amount.currency !== 'EUR') throw new Error('EPC QR codes pay euros only');
  return [
    'BCD',
    '002',
    '1',
    'SCT',
    order.bic ?? '',
    order.beneficiary.slice(0, 70),
    order.iban,
    `EUR${order.amount.amount}`,
    '',
    '',
    order.reference.slice(0, 140),
    order.message.slice(0, 70),
  ].join('\n');
}

/** SPD values may not hold `*` (the field separator); the standard allows printable characters only. */
const spdValue = (value: string, max: number) =>
  value
    .replace(/\*/g, '')
    .replace(/[\r\n]+/g, ' ')
    .slice(0, max);

/**
 * The Czech "Short Payment Descriptor" (SPD 1.0, ČBA standard) that Czech banking apps read:
 * `SPD*1.0*ACC:<IBAN>[+<BIC>]*AM:<amount>*CC:CZK*X-VS:<variable symbol>*MSG:<message>`.
 */
export function spdPayload(order: PaymentOrder): string {
  const vs = order.reference.replace(/\D/g, '').slice(-10);
  return [
    'SPD',
    '1.0',
    `ACC:${order.iban}${order.bic ? `+${order.bic}` : ''}`,
    `AM:${order.amount.amount}`,
    `CC:${order.amount.currency}`,
    ...(vs ? [`X-VS:${vs}`] : []),
    `MSG:${spdValue(order.message, 60)}`,
  ].join('*');
}

/** The payload a banking app in the invoice's currency reads: EPC for euros, SPD for Czech crowns; none otherwise. */
export function paymentQrPayload(order: PaymentOrder): string | null {
  if (order.amount.currency === 'EUR') return epcPayload(order);
  if (order.amount.currency === 'CZK') return spdPayload(order);
  return null;
}

/**
 * Draws the payload as a QR code of vector squares at (x, y), `size` points wide, with error
 * correction M (what both standards recommend). The `qrcode` package's matrix is used, not its
 * canvas or PNG renderers, so nothing native is needed.
 */
export async function drawQr(doc: PDFKit.PDFDocument, payload: string, x: number, y: number, size: number) {
  const QRCode = (await import('qrcode')).default;
  const qr = QRCode.create(payload, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const cell = size / (n + 8);
  doc.save().fillColor('#000000');
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++)
      if (qr.modules.get(r, c)) doc.rect(x + (c + 4) * cell, y + (r + 4) * cell, cell, cell).fill();
  doc.restore();
}
