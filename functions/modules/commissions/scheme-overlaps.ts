import type { StoredScheme } from './commissions.model.js';
import { type SchemeVersion, versionsOverlap } from './engine/index.js';

/**
 * Schemes limited to insurers, product lines or branches must not overlap another scheme of the same
 * currency: a policy under both would be paid twice. A pair is checked when either side is limited;
 * two unlimited schemes (every policy in the currency) are left as they were, so a bonus scheme on
 * top of the general one stays possible. Product lines compare by id, codes resolved by `lineId`.
 */
export function overlapErrors(
  scheme: { id: string | null; currency: string },
  versions: readonly SchemeVersion[],
  others: readonly StoredScheme[],
  lineId: (ref: string) => string,
  pathOf: (versionIndex: number) => string,
): Array<{ path: string; message: string }> {
  const norm = (v: SchemeVersion): SchemeVersion =>
    v.appliesTo?.productLines === undefined
      ? v
      : { ...v, appliesTo: { ...v.appliesTo, productLines: v.appliesTo.productLines.map(lineId) } };
  const errors: Array<{ path: string; message: string }> = [];
  versions.forEach((v, vi) => {
    for (const other of others) {
      if (other.id === scheme.id || other.currency !== scheme.currency) continue;
      const clash = other.versions.find(
        (w) => (v.appliesTo !== undefined || w.appliesTo !== undefined) && versionsOverlap(norm(v), norm(w)),
      );
      if (clash) {
        errors.push({
          path: `${pathOf(vi)}.appliesTo`,
          message: `overlaps scheme "${other.name}" v${clash.version}: a policy could fall under both`,
        });
        break;
      }
    }
  });
  return errors;
}
