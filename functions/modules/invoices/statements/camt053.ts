import { findCreditorReference, findVariableSymbol, isCreditorReference } from './references.js';
import type { ReadStatement, StatementRecord } from './statement-record.js';

/**
 * ISO 20022 camt.053 (BankToCustomerStatement), any version from .001.02 on: a group header, one or
 * more statements, each with entries (`Ntry`) and their transaction details (`NtryDtls/TxDtls`).
 * Booked credit entries are the incoming payments; debits, reversals and pending or informational
 * entries are not receipts and are left out. An entry that batches several transactions gives one
 * row per transaction, each with its own amount.
 *
 * Where the references are: the structured creditor reference in
 * `RmtInf/Strd/CdtrRefInf/Ref` (type SCOR, ISO 11649), or the proprietary type `VS` Czech banks use
 * there for the variable symbol; the variable symbol also in the end-to-end id (`/VS…/SS…/KS…`,
 * the Czech banking association's layout) or the unstructured remittance text (`Ustrd`). The payer's
 * account is `RltdPties/DbtrAcct/Id/IBAN` (an insurer paying commission is recognised by it).
 */
export async function parseCamt053(text: string): Promise<ReadStatement> {
  const { XMLParser, XMLValidator } = await import('fast-xml-parser'); // on first import, not at cold start
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`line ${valid.err.line}: ${valid.err.msg}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: true,
    isArray: (name) => ARRAYS.has(name),
  });
  const document = parser.parse(text) as { Document?: { BkToCstmrStmt?: Node } };
  const root = document.Document?.BkToCstmrStmt;
  if (!root) throw new Error('expected Document/BkToCstmrStmt (camt.053)');
  if (!root.GrpHdr) throw new Error('BkToCstmrStmt has no group header (GrpHdr)');
  const rows: StatementRecord[] = [];
  const ids: string[] = [];
  for (const statement of list(root.Stmt)) {
    for (const entry of list(statement.Ntry)) rows.push(...entryRows(entry));
    const account = str(statement.Acct?.Id?.IBAN) || str(statement.Acct?.Id?.Othr?.Id);
    ids.push(str(statement.Id) ? `${account}|${str(statement.Id)}|${str(statement.ElctrncSeqNb)}` : '');
  }
  // The bank's statement ids, not the file: a re-export carries a new creation time and message id.
  const identity = ids.length && ids.every(Boolean) ? `CAMT053|${ids.join(';')}` : null;
  return { records: rows, identity };
}

/** Elements that may repeat: parsed as arrays even when there is one. */
const ARRAYS = new Set(['Stmt', 'Ntry', 'NtryDtls', 'TxDtls', 'Ustrd', 'Strd', 'Bal']);

// A parsed element: fast-xml-parser gives objects, arrays and strings.
// biome-ignore lint/suspicious/noExplicitAny: the tree's shape is what the XML says; every read checks it
type Node = any;

function list(value: Node): Node[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function str(value: Node): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return str(value['#text']);
  return String(value).trim();
}

function entryRows(entry: Node): StatementRecord[] {
  const status = str(entry.Sts?.Cd ?? entry.Sts);
  if (str(entry.CdtDbtInd) !== 'CRDT' || str(entry.RvslInd) === 'true' || (status && status !== 'BOOK')) {
    return [];
  }
  const date = dateOf(entry.BookgDt) || dateOf(entry.ValDt);
  const transactions = list(entry.NtryDtls).flatMap((d: Node) => list(d.TxDtls));
  if (transactions.length <= 1) {
    return [row(date, entry.Amt, transactions[0] ?? {}, str(entry.AddtlNtryInf))];
  }
  return transactions.map((tx) => {
    const amount = tx.Amt ?? tx.AmtDtls?.TxAmt?.Amt ?? tx.AmtDtls?.InstdAmt?.Amt;
    if (!amount) throw new Error(`entry ${str(entry.NtryRef) || date} batches transactions without amounts`);
    return row(date, amount, tx, str(entry.AddtlNtryInf));
  });
}

function dateOf(node: Node): string {
  return (str(node?.Dt) || str(node?.DtTm)).slice(0, 10);
}

function row(date: string, amount: Node, tx: Node, entryInfo: string): StatementRecord {
  const unstructured = list(tx.RmtInf?.Ustrd).map(str).filter(Boolean).join(' ');
  const structured = list(tx.RmtInf?.Strd).map((s: Node) => ({
    ref: str(s.CdtrRefInf?.Ref),
    type: str(s.CdtrRefInf?.Tp?.CdOrPrtry?.Cd) || str(s.CdtrRefInf?.Tp?.CdOrPrtry?.Prtry),
  }));
  const endToEnd = str(tx.Refs?.EndToEndId);
  const creditorRef =
    structured.map((s) => (isCreditorReference(s.ref) ? findCreditorReference(s.ref) : null)).find(Boolean) ??
    findCreditorReference(unstructured);
  const variableSymbol =
    structured
      .find((s) => s.type.toUpperCase() === 'VS' && /^\d{1,10}$/.test(s.ref))
      ?.ref.replace(/^0+(?=\d)/, '') ??
    findVariableSymbol(endToEnd) ??
    findVariableSymbol(unstructured) ??
    findVariableSymbol(str(tx.AddtlTxInf));
  const reference =
    structured.find((s) => s.ref)?.ref ||
    unstructured ||
    (endToEnd && endToEnd !== 'NOTPROVIDED' ? endToEnd : '') ||
    entryInfo;
  const debtor = tx.RltdPties?.Dbtr;
  const record: StatementRecord = {
    date,
    amount: str(amount),
    currency: str(amount?.['@Ccy']),
    reference: reference.slice(0, 500),
  };
  const payer = str(debtor?.Nm) || str(debtor?.Pty?.Nm);
  if (payer) record.payer = payer;
  const payerIban = str(tx.RltdPties?.DbtrAcct?.Id?.IBAN).replace(/\s+/g, '').toUpperCase();
  if (payerIban) record.payeriban = payerIban;
  if (creditorRef) record.creditorref = creditorRef;
  if (variableSymbol) record.vs = variableSymbol;
  return record;
}
