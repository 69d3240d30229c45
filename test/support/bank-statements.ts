/**
 * Bank statements as banks export them, built in tests with their real structure: camt.053
 * (ISO 20022: group header, statement with account and balances, entries with transaction
 * details and remittance information) and MT940 (:20: … :62F:, each :61: line with its :86:).
 */
import Decimal from 'decimal.js';

/** One booked entry: a credit (incoming payment) unless `debit`. */
export interface StatementEntry {
  date: string;
  amount: string;
  currency?: string;
  debit?: boolean;
  /** camt.053: RmtInf/Strd/CdtrRefInf/Ref with type SCOR (ISO 11649). MT940: written into :86:. */
  creditorRef?: string;
  /** camt.053: Refs/EndToEndId. */
  endToEndId?: string;
  /** camt.053: RmtInf/Ustrd. MT940: the :86: text. */
  remittance?: string;
  /** MT940: the :61: customer reference (Czech banks put the variable symbol there). */
  customerRef?: string;
  payer?: string;
  /** camt.053: RltdPties/DbtrAcct/Id/IBAN. MT940: an `/IBAN/` field in :86:. */
  payerIban?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function signedTotal(entries: StatementEntry[]): Decimal {
  return entries.reduce((sum, e) => (e.debit ? sum.minus(e.amount) : sum.plus(e.amount)), new Decimal(0));
}

/** A camt.053.001.02 statement of one EUR account opening at `opening`. */
export function camt053(entries: StatementEntry[], opts: { id?: string; opening?: string } = {}): string {
  const id = opts.id ?? 'STMT-1';
  const opening = new Decimal(opts.opening ?? '1000.00');
  const closing = opening.plus(signedTotal(entries));
  const balance = (code: string, amount: Decimal, date: string) => `
      <Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${amount.abs().toFixed(2)}</Amt>
        <CdtDbtInd>${amount.isNegative() ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>`;
  const ntry = (e: StatementEntry, i: number) => `
      <Ntry>
        <NtryRef>${i + 1}</NtryRef>
        <Amt Ccy="${e.currency ?? 'EUR'}">${e.amount}</Amt>
        <CdtDbtInd>${e.debit ? 'DBIT' : 'CRDT'}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>${e.date}</Dt></BookgDt>
        <ValDt><Dt>${e.date}</Dt></ValDt>
        <AcctSvcrRef>${id}-${i + 1}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>${e.debit ? 'ICDT' : 'RCDT'}</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>${esc(e.endToEndId ?? 'NOTPROVIDED')}</EndToEndId></Refs>
          <AmtDtls><TxAmt><Amt Ccy="${e.currency ?? 'EUR'}">${e.amount}</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>${esc(e.payer ?? 'Payer')}</Nm></Dbtr>
            <DbtrAcct><Id><IBAN>${e.payerIban ?? 'CZ6508000000192000145399'}</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf>${e.remittance ? `<Ustrd>${esc(e.remittance)}</Ustrd>` : ''}${
            e.creditorRef
              ? `<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>${e.creditorRef}</Ref></CdtrRefInf></Strd>`
              : ''
          }</RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>`;
  const first = entries[0]?.date ?? '2026-03-12';
  const last = entries.at(-1)?.date ?? first;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>${id}</MsgId><CreDtTm>${last}T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>${id}</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>${last}T18:00:00</CreDtTm>
      <FrToDt><FrDtTm>${first}T00:00:00</FrDtTm><ToDtTm>${last}T23:59:59</ToDtTm></FrToDt>
      <Acct><Id><IBAN>CZ6508000000192000145399</IBAN></Id><Ccy>EUR</Ccy>
        <Svcr><FinInstnId><BIC>GIBACZPX</BIC></FinInstnId></Svcr></Acct>${balance('OPBD', opening, first)}${balance('CLBD', closing, last)}
      <TxsSummry><TtlNtries><NbOfNtries>${entries.length}</NbOfNtries></TtlNtries></TxsSummry>${entries.map(ntry).join('')}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
}

const mtDate = (iso: string) => iso.slice(2).replace(/-/g, '');
const mtAmount = (amount: Decimal.Value) => new Decimal(amount).abs().toFixed(2).replace('.', ',');

/** An MT940 statement of one account (EUR unless told) opening at `opening`, with SWIFT header blocks. */
export function mt940(
  entries: StatementEntry[],
  opts: { id?: string; opening?: string; currency?: string } = {},
): string {
  const ccy = opts.currency ?? 'EUR';
  const opening = new Decimal(opts.opening ?? '1000.00');
  const closing = opening.plus(signedTotal(entries));
  const first = entries[0]?.date ?? '2026-03-12';
  const last = entries.at(-1)?.date ?? first;
  const lines = [
    '{1:F01GIBACZPXAXXX0000000000}{2:O9401200260312GIBACZPXAXXX00000000002603121200N}{4:',
    `:20:${opts.id ?? 'STMT1'}`,
    ':25:CZ6508000000192000145399',
    ':28C:00012/001',
    `:60F:${opening.isNegative() ? 'D' : 'C'}${mtDate(first)}${ccy}${mtAmount(opening)}`,
  ];
  for (const e of entries) {
    const ref = e.customerRef ?? 'NONREF';
    lines.push(
      `:61:${mtDate(e.date)}${mtDate(e.date).slice(2)}${e.debit ? 'D' : 'C'}${mtAmount(e.amount)}NTRF${ref}//B${mtDate(e.date)}`,
    );
    const details = [e.creditorRef, e.remittance].filter(Boolean).join(' ');
    lines.push(
      `:86:${details || 'Payment'}${e.payer ? ` /NAME/${e.payer}` : ''}${e.payerIban ? ` /IBAN/${e.payerIban}` : ''}`,
    );
  }
  lines.push(`:62F:${closing.isNegative() ? 'D' : 'C'}${mtDate(last)}${ccy}${mtAmount(closing)}`, '-}');
  return `${lines.join('\r\n')}\r\n`;
}
