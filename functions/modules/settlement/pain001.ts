import { neutraliseFormula } from '../../shared/input.js';
import { Dec, type Money } from '../../shared/money.js';
import type { PayoutPayment } from './settlement.model.js';

/**
 * The payout files a bank takes: an ISO 20022 pain.001.001.03 customer credit transfer initiation
 * (SEPA: service level SEPA, charges shared SLEV, one payment information block for the batch) and
 * the same payments as CSV for banks without ISO 20022 import. Pure: data in, text out.
 */
export interface PayoutFileInput {
  messageId: string;
  createdAt: string;
  executionDate: string;
  debtor: { name: string; iban: string; bic: string | null };
  remittance: string;
  payments: PayoutPayment[];
  total: Money;
}

/**
 * Text as the SEPA character set allows (a-z A-Z 0-9 / - ? : ( ) . , ' + space): diacritics are
 * dropped (`Poradce Mareček` stays readable as `Poradce Marecek`), anything else becomes a space.
 */
export function sepaText(value: string, max: number): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9/\-?:().,'+ ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}

const agent = (bic: string | null) =>
  bic
    ? `<FinInstnId><BIC>${bic}</BIC></FinInstnId>`
    : '<FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId>';

/** The pain.001.001.03 document of a payout batch. */
export function pain001Xml(input: PayoutFileInput): string {
  const sum = input.payments.reduce((s, p) => s.plus(p.amount.amount), new Dec(0)).toFixed(2);
  const transfers = input.payments.map(
    (p) => `
      <CdtTrfTxInf>
        <PmtId><EndToEndId>${p.endToEndId}</EndToEndId></PmtId>
        <Amt><InstdAmt Ccy="${p.amount.currency}">${p.amount.amount}</InstdAmt></Amt>${
          p.bic ? `\n        <CdtrAgt>${agent(p.bic)}</CdtrAgt>` : ''
        }
        <Cdtr><Nm>${sepaText(p.name, 70)}</Nm></Cdtr>
        <CdtrAcct><Id><IBAN>${p.iban}</IBAN></Id></CdtrAcct>
        <RmtInf><Ustrd>${sepaText(input.remittance, 140)}</Ustrd></RmtInf>
      </CdtTrfTxInf>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <CstmrCdtTrfInitn>
    <GrpHdr>
      <MsgId>${input.messageId}</MsgId>
      <CreDtTm>${input.createdAt.slice(0, 19)}</CreDtTm>
      <NbOfTxs>${input.payments.length}</NbOfTxs>
      <CtrlSum>${sum}</CtrlSum>
      <InitgPty><Nm>${sepaText(input.debtor.name, 70)}</Nm></InitgPty>
    </GrpHdr>
    <PmtInf>
      <PmtInfId>${input.messageId}</PmtInfId>
      <PmtMtd>TRF</PmtMtd>
      <BtchBookg>true</BtchBookg>
      <NbOfTxs>${input.payments.length}</NbOfTxs>
      <CtrlSum>${sum}</CtrlSum>
      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>
      <ReqdExctnDt>${input.executionDate}</ReqdExctnDt>
      <Dbtr><Nm>${sepaText(input.debtor.name, 70)}</Nm></Dbtr>
      <DbtrAcct><Id><IBAN>${input.debtor.iban}</IBAN></Id></DbtrAcct>
      <DbtrAgt>${agent(input.debtor.bic)}</DbtrAgt>
      <ChrgBr>SLEV</ChrgBr>${transfers.join('')}
    </PmtInf>
  </CstmrCdtTrfInitn>
</Document>
`;
}

/** The same payments as CSV (one row per transfer), formula-like cells neutralised. */
export async function payoutCsv(input: PayoutFileInput): Promise<string> {
  const { stringify } = await import('csv-stringify/sync'); // on first payout, not at cold start
  const rows = input.payments.map((p) =>
    [
      p.recipient.kind,
      p.recipient.id,
      p.name,
      p.iban,
      p.bic ?? '',
      p.amount.amount,
      p.amount.currency,
      input.executionDate,
      p.endToEndId,
      input.remittance,
    ].map(neutraliseFormula),
  );
  return stringify(rows, {
    header: true,
    columns: [
      'recipientKind',
      'recipientId',
      'name',
      'iban',
      'bic',
      'amount',
      'currency',
      'executionDate',
      'endToEndId',
      'remittance',
    ],
  });
}
