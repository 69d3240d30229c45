import { loadPdfFonts } from '../../shared/pdf-fonts.js';
import { embedFontsAndCollect } from '../../shared/pdf-output.js';
import type { Column, ReportDocument, ReportTable } from './report-document.js';
import type { ReportFormatter } from './report-format.js';
import type { Translate } from './report-messages.js';

const MARGIN = 36;
const TOP = 72;
const BOTTOM_RESERVE = 40;
const PAD = 3;
const SIZE = 7.5;

type Doc = PDFKit.PDFDocument;

/** What a PDF needs besides the document: the tenant for the header, the formatter and messages. */
export interface PdfContext {
  tenantName: string;
  formatter: ReportFormatter;
  t: Translate;
  /** When it was generated, already formatted. */
  generated: string;
}

const isNumeric = (c: Column) => c.type !== 'text' && c.type !== 'date';

/**
 * The document as a PDF for people: the tenant and title on every page, page numbers ("Page 2 of
 * 5"), summary lines, and ruled tables whose header repeats after a page break. DejaVu Sans is
 * embedded, so Czech, Polish, Lithuanian and Cyrillic letters print as written. pdfkit is imported here,
 * on the reports function's path only.
 */
export async function renderPdf(doc: ReportDocument, ctx: PdfContext): Promise<Uint8Array> {
  const [{ default: PDFDocument }, fonts] = await Promise.all([import('pdfkit'), loadPdfFonts()]);
  const wide = doc.tables.some((t) => t.columns.length > 6);
  const pdf = new PDFDocument({
    size: 'A4',
    layout: wide ? 'landscape' : 'portrait',
    margins: { top: TOP, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: { Title: doc.title, Producer: 'Broker CRM' },
  });
  const done = embedFontsAndCollect(pdf, fonts);

  pdf.font('bold').fontSize(16).text(doc.title, MARGIN, TOP);
  pdf.font('body').fontSize(9);
  for (const line of [...doc.subtitle, ctx.generated]) pdf.text(line);
  if (doc.summary.length > 0) {
    pdf.moveDown(0.5).font('bold').fontSize(10);
    for (const s of doc.summary) pdf.text(`${s.label}: ${ctx.formatter.cell(s.value, 'money')}`);
  }
  for (const table of doc.tables) drawTable(pdf, table, ctx);

  const range = pdf.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    const width = pdf.page.width;
    const bottom = pdf.page.height - MARGIN + 10;
    // Drawing in the margins must not flow onto a new page.
    pdf.page.margins.bottom = 0;
    pdf.font('bold').fontSize(10).text(ctx.tenantName, MARGIN, 30, { lineBreak: false });
    pdf.font('body').fontSize(9);
    pdf.text(doc.title, MARGIN, 32, { width: width - 2 * MARGIN, align: 'right', lineBreak: false });
    pdf
      .moveTo(MARGIN, 48)
      .lineTo(width - MARGIN, 48)
      .lineWidth(0.5)
      .strokeColor('#888888')
      .stroke();
    pdf.fontSize(8).text(ctx.t('page', { page: i + 1, pages: range.count }), MARGIN, bottom, {
      width: width - 2 * MARGIN,
      align: 'center',
      lineBreak: false,
    });
  }
  pdf.end();
  return done;
}

function drawTable(pdf: Doc, table: ReportTable, ctx: PdfContext): void {
  const left = MARGIN;
  const usable = pdf.page.width - 2 * MARGIN;
  const weights = table.columns.map((c) => c.width ?? 1);
  const sum = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => (w / sum) * usable);
  const limit = () => pdf.page.height - MARGIN - BOTTOM_RESERVE + 20;

  pdf.moveDown(1);
  if (table.title) pdf.font('bold').fontSize(11).text(table.title, left, pdf.y);
  pdf.moveDown(0.3);

  const rowHeight = (cells: string[], font: string) => {
    pdf.font(font).fontSize(SIZE);
    return (
      Math.max(...cells.map((c, i) => pdf.heightOfString(c || ' ', { width: (widths[i] ?? 0) - 2 * PAD }))) +
      2 * PAD
    );
  };
  const drawRow = (cells: string[], font: string, fill: string | null, rule: boolean) => {
    const h = rowHeight(cells, font);
    if (pdf.y + h > limit()) {
      pdf.addPage();
      pdf.y = TOP;
      if (font !== 'bold' || fill === null) drawHeader();
    }
    const y = pdf.y;
    if (fill) pdf.rect(left, y, usable, h).fill(fill);
    pdf.fillColor('#000000').font(font).fontSize(SIZE);
    let x = left;
    cells.forEach((text, i) => {
      const w = widths[i] ?? 0;
      const column = table.columns[i] as Column;
      pdf.text(text, x + PAD, y + PAD, { width: w - 2 * PAD, align: isNumeric(column) ? 'right' : 'left' });
      x += w;
    });
    if (rule)
      pdf
        .moveTo(left, y)
        .lineTo(left + usable, y)
        .lineWidth(0.7)
        .strokeColor('#000000')
        .stroke();
    pdf
      .moveTo(left, y + h)
      .lineTo(left + usable, y + h)
      .lineWidth(0.3)
      .strokeColor('#bbbbbb')
      .stroke();
    pdf.y = y + h;
    pdf.x = left;
  };
  const header = table.columns.map((c) => c.label);
  const drawHeader = () => drawRow(header, 'bold', '#e4e8ee', false);

  drawHeader();
  table.rows.forEach((row, n) => {
    drawRow(
      table.columns.map((c) => ctx.formatter.cell(row[c.key] ?? null, c.type)),
      'body',
      n % 2 === 1 ? '#f6f7f9' : null,
      false,
    );
  });
  table.totals.forEach((total, n) => {
    const first = table.columns[0]?.key ?? '';
    const cells = table.columns.map((c) =>
      c.key === first ? String(total.__label ?? '') : ctx.formatter.cell(total[c.key] ?? null, c.type),
    );
    drawRow(cells, 'bold', null, n === 0);
  });
}
