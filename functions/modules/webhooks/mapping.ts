import type { EventType, MappingRule } from './webhooks.model.js';

/** Segments of a dotted path; numeric segments index arrays. */
function segments(path: string): string[] {
  return path.split('.');
}

/** The value at a dotted path, or undefined. Only own properties are followed (no prototype walk). */
export function getPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of segments(path)) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Sets a value at a dotted path, creating objects (or arrays for numeric segments) on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = segments(path);
  if (keys.some((k) => FORBIDDEN_KEYS.has(k))) return;
  let current: Record<string, unknown> = target;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      current[key] = value;
      return;
    }
    const next = current[key];
    if (next === null || typeof next !== 'object') {
      current[key] = /^\d+$/.test(keys[i + 1] ?? '') ? [] : {};
    }
    current = current[key] as Record<string, unknown>;
  });
}

/**
 * Applies an insurer's mapping to one event's payload: starts from the payload as sent (so an
 * insurer whose layout already matches ours needs no rules) and, for each rule of this event type
 * (or of every type), copies the value at `source` to `target`, translated through `values` when
 * listed. Rules read the payload as sent, never each other's output, so their order does not matter.
 */
export function applyMapping(
  rules: readonly MappingRule[],
  type: EventType,
  data: Record<string, unknown>,
): Record<string, unknown> {
  const mapped = structuredClone(data);
  for (const rule of rules) {
    if (rule.eventType && rule.eventType !== type) continue;
    let value = getPath(data, rule.source);
    if (value === undefined) continue;
    const translation = rule.values.find((v) => v.from === String(value));
    if (translation) value = translation.to;
    setPath(mapped, rule.target, value);
  }
  return mapped;
}

/** The insurer's source path for one of our target paths, so a rejection can name the insurer's field too. */
export function sourceOf(
  rules: readonly MappingRule[],
  type: EventType,
  targetPath: string,
): string | undefined {
  const rule = rules.find(
    (r) =>
      (!r.eventType || r.eventType === type) &&
      (targetPath === r.target || targetPath.startsWith(`${r.target}.`)),
  );
  return rule ? `${rule.source}${targetPath.slice(rule.target.length)}` : undefined;
}
