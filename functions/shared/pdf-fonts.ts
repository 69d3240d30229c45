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
