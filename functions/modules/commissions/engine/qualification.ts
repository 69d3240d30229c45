import { Dec } from '../../../shared/money.js';
import { formatAmount } from './explain.js';
import type { Qualification, Scheme } from './scheme.model.js';
import type { HierarchyFact } from './types.js';

/**
 * Why an upline does not qualify for an override level in the period, or null when they do.
 * Inactive uplines never qualify unless the level's qualification sets `requireActive: false`; a
 * minimum personal premium compares the premium the upline wrote in the event's month (exact
 * decimals); rate groups compare the upline's group on the written date.
 */
export function disqualification(
  upline: HierarchyFact,
  group: string | null,
  q: Qualification | undefined,
  personalPremium: Record<string, string> | undefined,
  currency: string,
): string | null {
  if (!upline.active && q?.requireActive !== false) return 'inactive';
  if (q === undefined) return null;
  if (
    q.rateGroups !== undefined &&
    q.rateGroups.length > 0 &&
    (group === null || !q.rateGroups.includes(group))
  )
    return `rate group ${group ?? 'none'} not in ${q.rateGroups.join(', ')}`;
  if (q.minPersonalPremium !== undefined) {
    const written = new Dec(personalPremium?.[upline.userId] ?? '0');
    if (written.lt(q.minPersonalPremium))
      return `${formatAmount(written, currency)} written, ${formatAmount(q.minPersonalPremium, currency)} required`;
  }
  return null;
}

/** `level 2: Marta skipped — 3,200.00 written, 5,000.00 required` */
export function skipNote(level: number, upline: HierarchyFact, reason: string): string {
  return `level ${level}: ${upline.name ?? upline.userId} skipped — ${reason}`;
}

/** Whether some override level requires a minimum personal premium (production is read only then). */
export function usesPremiumQualification(schemes: readonly Scheme[]): boolean {
  return schemes.some((s) =>
    s.versions.some((v) =>
      v.rules.some((r) => r.overrides?.some((o) => o.qualification?.minPersonalPremium !== undefined)),
    ),
  );
}
