import type { SchemeVersion } from './scheme.model.js';
import type { PolicyFacts } from './types.js';

/**
 * Where a scheme version applies beyond its currency and dates: insurers, product lines (ids or
 * codes) and branches. A dimension left out means every one; a version without `appliesTo` applies
 * to every policy in its currency.
 */
export type Applicability = NonNullable<SchemeVersion['appliesTo']>;

const within = (list: readonly string[] | undefined, ...values: Array<string | null | undefined>) =>
  list === undefined || values.some((v) => v != null && list.includes(v));

/** Whether a version applies to a policy (its rules' own conditions come on top). */
export function versionApplies(version: Pick<SchemeVersion, 'appliesTo'>, policy: PolicyFacts): boolean {
  const a = version.appliesTo;
  if (a === undefined) return true;
  return (
    within(a.insurerIds, policy.insurerId) &&
    within(a.productLines, policy.productLineId, policy.productLineCode) &&
    within(a.branchIds, policy.branchId)
  );
}

const meet = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  a === undefined || b === undefined || a.some((x) => b.includes(x));

/**
 * Whether some policy could fall under both versions: their written-date ranges overlap and so does
 * every dimension of their applicability. Product lines compare as given (an id and a code of the
 * same line are not matched up here; the service resolves codes to ids before asking).
 */
export function versionsOverlap(
  a: Pick<SchemeVersion, 'validFrom' | 'validTo' | 'appliesTo'>,
  b: Pick<SchemeVersion, 'validFrom' | 'validTo' | 'appliesTo'>,
): boolean {
  const dates =
    (a.validTo === undefined || a.validTo > b.validFrom) &&
    (b.validTo === undefined || b.validTo > a.validFrom);
  if (!dates) return false;
  const x = a.appliesTo ?? {};
  const y = b.appliesTo ?? {};
  return (
    meet(x.insurerIds, y.insurerIds) && meet(x.productLines, y.productLines) && meet(x.branchIds, y.branchIds)
  );
}
