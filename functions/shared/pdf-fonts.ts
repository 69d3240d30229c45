import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** TrueType fonts a PDF embeds so every letter of Latin Extended and Cyrillic survives (DejaVu Sans). */
export interface PdfFonts {
  regular: Uint8Array;
  bold: Uint8Array;
}

/** The npm package's files: `dejavu-fonts-ttf` ships the TTFs pdfkit embeds (woff-only packages do not). */
export const PDF_FONT_FILES = {
  regular: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  bold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
} as const;

let loaded: Promise<PdfFonts> | undefined;

/**
 * Reads the fonts once per process. A Lambda bundle carries no node_modules: the bundler replaces
 * this module with one that embeds the same files (infra/cloud/bundling.ts, `pdfFontsPlugin`), in a
 * chunk only the code paths that render PDFs import.
 */
export function loadPdfFonts(): Promise<PdfFonts> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const [regular, bold] = await Promise.all([
      readFile(require.resolve(PDF_FONT_FILES.regular)),
      readFile(require.resolve(PDF_FONT_FILES.bold)),
    ]);
    return { regular: new Uint8Array(regular), bold: new Uint8Array(bold) };
  })();
  return loaded;
}

/** What {@link embedFontsAndCollect} needs of a pdfkit document (pdf-fonts.ts imports no pdfkit). */
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
