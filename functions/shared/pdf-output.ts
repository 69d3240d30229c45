import type { PdfFonts } from './pdf-fonts.js';

/*
 * Apart from pdf-fonts.ts on purpose: the Lambda bundler replaces that module by one that embeds the
 * font files (infra/cloud/bundling.ts), exporting only what it declares.
 */

/** What {@link embedFontsAndCollect} needs of a pdfkit document (this file imports no pdfkit). */
interface PdfSink {
  registerFont(name: string, font: Buffer): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Registers the fonts as `body` and `bold` on a new pdfkit document and collects its output: the
 * promise resolves to the file's bytes once the caller ends the document.
 */
export function embedFontsAndCollect(pdf: PdfSink, fonts: PdfFonts): Promise<Uint8Array> {
  pdf.registerFont('body', Buffer.from(fonts.regular));
  pdf.registerFont('bold', Buffer.from(fonts.bold));
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise<Uint8Array>((resolve, reject) => {
    pdf.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    pdf.on('error', reject);
  });
}
