import { findCreditorReference, findVariableSymbol } from './references.js';
import type { ReadStatement, StatementRecord } from './statement-record.js';

/**
 * SWIFT MT940, read with mt940js: statements (`:20:` … `:62F:`), each statement line `:61:` with
 * its details `:86:`. mt940js checks the required tags, one currency and that the lines add up to
 * the balances; amounts and dates are then taken from the `:61:` text itself, because mt940js
 * gives amounts as binary floats rounded to two decimals and dates as Date objects.
 *
 * Credits (`C`) are the incoming payments; debits and reversals (`D`, `RC`, `RD`) are not receipts
 * and are left out. References: an ISO 11649 creditor reference anywhere in `:86:`; the Czech
 * variable symbol as `VS…` in `:86:`, or as the whole customer reference of `:61:` when that is
 * 1–10 digits (Czech banks put it there). The payer is the German-style structured `:86:`
 * subfields ?32/?33 or a `/NAME/` field when present; the payer's IBAN the subfield ?31 or an
 * `/IBAN/` or `/CNTP/` field.
 */
export async function parseMt940(text: string): Promise<ReadStatement> {
  const { Parser } = (await import('mt940js')).default; // on first import, not at cold start
  const statements = new Parser().parse(text.replace(/^\uFEFF/, ''), true);
  const rows: StatementRecord[] = [];
  const ids: string[] = [];
  for (const statement of statements) {
    const n = statement.number;
    ids.push(
      `${statement.accountIdentification}|${statement.transactionReference}|${n.statement}/${n.sequence}`,
    );
    const lines = (statement.tags ?? []).filter((t) => Number(t.id) === 61);
    statement.transactions.forEach((tx, i) => {
      const line = lines[i]?.data.match(STATEMENT_LINE);
      if (!line) throw new Error(`statement line ${i + 1} cannot be read`);
      const [, yy, mm, dd, mark, amount] = line as unknown as string[];
      if (mark !== 'C') return;
      rows.push(record(`20${yy}-${mm}-${dd}`, (amount ?? '').replace(',', '.'), statement.currency, tx));
    });
  }
  // Account, :20: reference and :28C: number identify the statement, whatever the file around it.
  return { records: rows, identity: ids.length ? `MT940|${ids.join(';')}` : null };
}

/** An IBAN's shape (country, check digits, account): what a payer account field holds when it is one. */
const IBAN_SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

/** `:61:` value date YYMMDD, optional entry date MMDD, debit/credit mark, funds code, amount with a decimal comma. */
const STATEMENT_LINE = /^(\d{2})(\d{2})(\d{2})(?:\d{4})?(R?[DC])[A-Z]?([0-9]{1,15},[0-9]*)/;

function record(
  date: string,
  rawAmount: string,
  currency: string,
  tx: { details: string; reference: string; structuredDetails?: Record<string, string> },
): StatementRecord {
  const details = tx.details.replace(/\n/g, '');
  const fields = tx.structuredDetails ?? {};
  const remittance = ['20', '21', '22', '23', '24', '25', '26', '27', '28', '29']
    .map((k) => fields[k] ?? '')
    .join('');
  const customerRef = tx.reference.trim();
  const vs =
    findVariableSymbol(details) ??
    (/^\d{1,10}$/.test(customerRef) ? customerRef.replace(/^0+(?=\d)/, '') : null);
  const creditorRef = findCreditorReference(details) ?? findCreditorReference(customerRef);
  const amount = rawAmount.endsWith('.') ? rawAmount.slice(0, -1) : rawAmount;
  const out: StatementRecord = {
    date,
    amount,
    currency,
    reference: (remittance || details || customerRef).slice(0, 500),
  };
  const payer =
    `${fields['32'] ?? ''}${fields['33'] ?? ''}`.trim() || details.match(/\/NAME\/([^/]+)/)?.[1]?.trim();
  if (payer) out.payer = payer;
  const payerIban = [
    fields['31'],
    fields.IBAN,
    details.match(/\/(?:IBAN|CNTP)\/([A-Z]{2}\d{2}[A-Z0-9]{11,30})/)?.[1],
  ]
    .map((v) => (v ?? '').replace(/\s+/g, '').toUpperCase())
    .find((v) => IBAN_SHAPE.test(v));
  if (payerIban) out.payeriban = payerIban;
  if (creditorRef) out.creditorref = creditorRef;
  if (vs) out.vs = vs;
  return out;
}
