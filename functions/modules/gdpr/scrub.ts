import { createHash } from 'node:crypto';

/**
 * Pure anonymisation of stored records (no I/O): what a data subject's erasure writes over every item
 * that names them. Fields that hold personal data by name are cleared or replaced by the pseudonym,
 * and every other string (notes, summaries, task titles, e-mail subjects) has the person's identifying
 * values cut out, so free text that quoted a name or a phone number no longer does.
 */

/** The values that identify a person, as stored before erasure. */
export interface SubjectIdentity {
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  nationalId: string | null;
  taxId: string | null;
  email: string | null;
  phone: string | null;
}

/** Fields cleared (set to null) wherever they appear in a record about the person. */
const CLEARED_FIELDS = new Set([
  'firstName',
  'lastName',
  'birthDate',
  'nationalId',
  'taxId',
  'email',
  'phone',
  'address',
  'to',
  'sortName',
]);

/** Fields that name the person for display: they keep the pseudonym, so lists still read. */
const NAME_FIELDS = new Set(['name', 'holderName', 'clientName', 'companyName']);

/** What replaces a personal value cut out of free text. */
export const ERASED_MARK = '[erased]';

/**
 * The pseudonym an erased client goes by: derived from the tenant and client id (so a repeat of the
 * erasure writes the same), revealing neither.
 */
export function pseudonymOf(tenantId: string, clientId: string): string {
  const digest = createHash('sha256').update(`${tenantId}\u0000${clientId}`).digest('hex');
  return `Erased client ${digest.slice(0, 10)}`;
}

/** The strings to cut out of free text: each identifying value, and the name in both orders. */
export function identifyingStrings(subject: SubjectIdentity): string[] {
  const values = [
    subject.name,
    subject.firstName && subject.lastName ? `${subject.firstName} ${subject.lastName}` : null,
    subject.firstName,
    subject.lastName,
    subject.nationalId,
    subject.taxId,
    subject.email,
    subject.phone,
  ];
  const present = values.filter((v): v is string => typeof v === 'string' && v.trim().length >= 3);
  // Each also without accents ("Novák" written "Novak"); longest first, so "Jan Novák" goes before
  // "Jan" leaves "Novák" behind. Shorter fragments would cut ordinary words.
  const unaccented = present.map((v) => v.normalize('NFD').replace(/\p{Diacritic}/gu, ''));
  return [...new Set([...present, ...unaccented])].sort((a, b) => b.length - a.length);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Free text with every identifying string replaced by {@link ERASED_MARK} (case-insensitive). */
export function scrubText(text: string, strings: readonly string[]): string {
  if (strings.length === 0) return text;
  const pattern = new RegExp(strings.map(escapeRegExp).join('|'), 'giu');
  return text.replace(pattern, ERASED_MARK);
}

/**
 * A record with the person's data removed: its personal fields cleared and its name fields set to
 * the pseudonym (top level: a nested `name`, e.g. an insured vehicle's, is not the person's), and
 * every string at any depth scrubbed. Attributes in `keep` (storage keys) are left as they are.
 */
export function scrubRecord<T extends Record<string, unknown>>(
  record: T,
  strings: readonly string[],
  pseudonym: string,
  keep: ReadonlySet<string> = new Set(),
): T {
  const deep = (value: unknown): unknown => {
    if (typeof value === 'string') return scrubText(value, strings);
    if (Array.isArray(value)) return value.map(deep);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v)]));
    return value;
  };
  return Object.fromEntries(
    Object.entries(record).map(([field, value]) => {
      if (keep.has(field)) return [field, value];
      if (CLEARED_FIELDS.has(field)) return [field, null];
      if (NAME_FIELDS.has(field) && typeof value === 'string') return [field, pseudonym];
      return [field, deep(value)];
    }),
  ) as T;
}

/** Whether any identifying string still appears anywhere in a value (a check for tests and the erasure's own proof). */
export function stillNames(value: unknown, strings: readonly string[]): boolean {
  const text = JSON.stringify(value).toLowerCase();
  return strings.some((s) => text.includes(s.toLowerCase()));
}

/**
 * A document that may name several people (an insurer's batch of events) with this person's data
 * removed and everyone else's kept: every string has the person's identifying values cut out, and an
 * object that holds one of the person's unique identifiers (national id, tax id, e-mail) as a value
 * is taken as their record (e.g. a policy's holder) and scrubbed as {@link scrubRecord} scrubs a
 * record: birth date, address and the other personal fields cleared, the name set to the pseudonym.
 */
export function scrubDocument(
  value: unknown,
  strings: readonly string[],
  identifiers: readonly string[],
  pseudonym: string,
): unknown {
  const ids = new Set(identifiers.filter((v) => v.trim().length >= 3).map((v) => v.trim().toLowerCase()));
  const holdsIdentifier = (record: Record<string, unknown>) =>
    Object.values(record).some((v) => typeof v === 'string' && ids.has(v.trim().toLowerCase()));
  const deep = (v: unknown): unknown => {
    if (typeof v === 'string') return scrubText(v, strings);
    if (Array.isArray(v)) return v.map(deep);
    if (v !== null && typeof v === 'object') {
      const record = v as Record<string, unknown>;
      if (holdsIdentifier(record)) return scrubRecord(record, strings, pseudonym);
      return Object.fromEntries(Object.entries(record).map(([k, x]) => [k, deep(x)]));
    }
    return v;
  };
  return deep(value);
}
