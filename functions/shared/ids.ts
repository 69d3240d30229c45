import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

/** A new id: a ULID, so ids sort by creation time (timelines and history read newest first). */
export function newId(): string {
  return next();
}
