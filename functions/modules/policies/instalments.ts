import { addMonths } from '../../shared/dates.js';
import { Dec, type Money, minorUnits, money } from '../../shared/money.js';
import { FREQUENCIES, type Frequency, type Instalment } from './policies.model.js';

/** Splits an annual premium into instalments whose sum is exactly the premium (the first takes the remainder). */
export function splitInstalments(total: Money, frequency: Frequency, firstDue: string): Instalment[] {
  const count = FREQUENCIES[frequency];
  return spread(total, count).map((amount, k) => ({
    dueDate: addMonths(firstDue, (k * 12) / count),
    amount,
  }));
}

function spread(total: Money, count: number): Money[] {
  const digits = minorUnits(total.currency);
  const unit = new Dec(10).pow(-digits);
  const minor = new Dec(total.amount).div(unit);
  const share = minor.div(count).trunc();
  const remainder = minor.minus(share.times(count));
  return Array.from({ length: count }, (_, k) =>
    money((k === 0 ? share.plus(remainder) : share).times(unit), total.currency),
  );
}

/** Spreads an endorsement's charge over the instalments due from its date, or adds one instalment. */
export function applyCharge(instalments: Instalment[], charge: Money, from: string): Instalment[] {
  if (new Dec(charge.amount).isZero()) return instalments;
  const open = instalments.filter((i) => i.dueDate >= from);
  if (open.length === 0) return [...instalments, { dueDate: from, amount: charge }];
  const shares = spread(charge, open.length);
  let k = 0;
  return instalments.map((i) =>
    i.dueDate >= from
      ? { ...i, amount: money(new Dec(i.amount.amount).plus(shares[k++]?.amount ?? '0'), charge.currency) }
      : i,
  );
}
