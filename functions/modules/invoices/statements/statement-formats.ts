import { ValidationFailedError } from '../../../shared/errors.js';
import { parseCamt053 } from './camt053.js';
import { parseMt940 } from './mt940.js';
import type { ReadStatement } from './statement-record.js';

export type { ReadStatement, StatementRecord } from './statement-record.js';

/** The bank statement layouts `importBankStatement` reads. */
export type StatementFormat = 'CSV' | 'CAMT053' | 'MT940';

/**
 * The format of a statement's text: ISO 20022 XML is camt.053, text whose first tag is `:20:`
 * (optionally after SWIFT `{1:…}` blocks) is MT940, anything else is CSV.
 */
export function detectStatementFormat(text: string): StatementFormat {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('<')) return 'CAMT053';
  if (/^(\{[1-5]:[^\n]*\n?)*:20:/.test(start)) return 'MT940';
  return 'CSV';
}

/**
 * Reads a statement's incoming payments in the given format. A text that is not that format is
 * BAD_USER_INPUT at `path` with the parser's reason; nothing has been written then.
 */
export async function readStatement(
  text: string,
  format: StatementFormat,
  path: string,
): Promise<ReadStatement> {
  try {
    if (format === 'CAMT053') return await parseCamt053(text);
    if (format === 'MT940') return await parseMt940(text);
    return { records: await parseCsvStatement(text), identity: null };
  } catch (error) {
    throw new ValidationFailedError(`The statement is not valid ${formatName[format]}`, [
      { path, message: (error as Error).message },
    ]);
  }
}

const formatName: Record<StatementFormat, string> = {
  CSV: 'CSV',
  CAMT053: 'camt.053 (ISO 20022 XML)',
  MT940: 'MT940',
};

/** CSV with a header row (date, amount, currency, reference; optionally clientRef and payer). */
async function parseCsvStatement(text: string): Promise<Record<string, string>[]> {
  const { parse } = await import('csv-parse/sync'); // on first import, not at cold start
  return parse(text, {
    columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
    skip_empty_lines: true,
    trim: true,
  });
}
