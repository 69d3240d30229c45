/**
 * Calendar arithmetic on ISO dates (`YYYY-MM-DD`). Dates in the book are calendar dates with no
 * time of day, so they are computed in UTC where no daylight-saving shift can move them.
 */

function parts(isoDate: string): [number, number, number] {
  const [y, m, d] = isoDate.split('-').map(Number);
  return [y ?? 0, m ?? 1, d ?? 1];
}

function format(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Adds calendar months; a day past the target month's end clamps to its last day (31 Jan + 1 → 28/29 Feb). */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = parts(isoDate);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return format(target);
}

export function addDays(isoDate: string, days: number): string {
  const [y, m, d] = parts(isoDate);
  return format(new Date(Date.UTC(y, m - 1, d + days)));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const [y1, m1, d1] = parts(from);
  const [y2, m2, d2] = parts(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}
