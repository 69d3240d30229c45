/**
 * One incoming payment of a statement, as the import matches it. Every value is text, as a CSV
 * row's is, so a job stores rows of any format the same way: date (YYYY-MM-DD), amount (a decimal
 * string), currency, reference (the text shown on the payment), and when the statement carries
 * them: clientref, payer, payeriban (the payer's account), creditorref (the body of a checked
 * ISO 11649 reference) and vs (the Czech variable symbol).
 */
export type StatementRecord = Record<string, string>;

/**
 * A statement read: its incoming payments, and what identifies the statement itself (account and
 * the bank's statement ids) when the format carries it, so the same statement exported again (a new
 * creation time, other whitespace) is recognised; null when it does not (CSV).
 */
export interface ReadStatement {
  records: StatementRecord[];
  identity: string | null;
}
