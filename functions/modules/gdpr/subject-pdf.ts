import { loadPdfFonts } from '../../shared/pdf-fonts.js';
import { embedFontsAndCollect } from '../../shared/pdf-output.js';
import type { SubjectDocument } from './gdpr.model.js';

const MARGIN = 48;

/** Section titles as a person reads them. */
const TITLES: Record<string, string> = {
  client: 'Client record',
  consents: 'Consents',
  contacts: 'Contacts (other people: id and role only)',
  policies: 'Policies',
  invoices: 'Invoices and credits',
  timeline: 'Timeline',
  tasks: 'Tasks',
  emails: 'E-mails sent and campaign snapshots',
  auditTrail: 'Changes to the record (audit trail)',
};

/** One value as a line of text: nested objects and lists as compact JSON. */
function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * The export as a readable PDF: one heading per section, one block per item with its fields as
 * `field: value` lines. pdfkit and the embedded DejaVu fonts are imported here only, when an export runs.
 */
export async function renderSubjectPdf(document: SubjectDocument): Promise<Uint8Array> {
  const [{ default: PDFDocument }, fonts] = await Promise.all([import('pdfkit'), loadPdfFonts()]);
  const pdf = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    info: { Title: `Data subject export ${document.clientId}`, Producer: 'Broker CRM' },
  });
  const done = embedFontsAndCollect(pdf, fonts);

  pdf.font('bold').fontSize(16).text('Personal data held on you');
  pdf.font('body').fontSize(9).text(`Client ${document.clientId} · exported ${document.exportedAt}`);
  for (const [section, items] of Object.entries(document.sections)) {
    pdf
      .moveDown(1)
      .font('bold')
      .fontSize(12)
      .text(`${TITLES[section] ?? section} (${items.length})`);
    pdf.font('body').fontSize(8);
    if (items.length === 0) pdf.text('None.');
    for (const item of items) {
      pdf.moveDown(0.4);
      const fields = item && typeof item === 'object' ? Object.entries(item) : [['value', item]];
      for (const [field, value] of fields) pdf.text(`${field}: ${show(value)}`);
    }
  }
  pdf.end();
  return done;
}
