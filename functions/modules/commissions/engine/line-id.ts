import { createHash } from 'node:crypto';

/** Everything that makes a line distinct. Two computations with equal parts are the same line. */
export interface LineIdParts {
  sourceEventId: string;
  kind: string;
  schemeId: string;
  ruleId: string;
  schemeVersion: number;
  recipientKind: string;
  recipientId: string;
  level: number;
  /** Distinguishes two lines for one person on one rule and level (e.g. originator and closer). */
  role: string;
  /** For lines derived from another line (clawback, reversal): that line's id. */
  relatedLineId?: string;
}

/**
 * A deterministic line id. The stream delivers a record at least once and replays it after a
 * failure, so the consumer writes lines with a condition on their id: equal inputs must give equal
 * ids, and the id is a hash of the parts (not a ULID) so a replay collides instead of adding money.
 * Hashing keeps the id short and free of the `#` used in table keys, whatever the source ids hold.
 */
export function lineId(parts: LineIdParts): string {
  const canonical = [
    parts.sourceEventId,
    parts.kind,
    parts.schemeId,
    parts.ruleId,
    String(parts.schemeVersion),
    parts.recipientKind,
    parts.recipientId,
    String(parts.level),
    parts.role,
    parts.relatedLineId ?? '',
  ]
    .map((p) => `${p.length}:${p}`)
    .join('|');
  return `cl_${createHash('sha256').update(canonical).digest('base64url').slice(0, 32)}`;
}
