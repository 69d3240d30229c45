/**
 * The structured payment references bank statements carry, read out of whatever text a format puts
 * them in: the ISO 11649 creditor reference ("RF" + two check digits + up to 21 letters or digits,
 * checked modulo 97 as an IBAN is) and the Czech variable symbol (up to 10 digits, "VS").
 */

/** Letters as ISO 7064 numbers (A = 10 … Z = 35), digits as themselves. */
function numeric(value: string): string {
  return value
    .toUpperCase()
    .split('')
    .map((c) => (c >= 'A' && c <= 'Z' ? String(c.charCodeAt(0) - 55) : c))
    .join('');
}

/** The remainder modulo 97 of a long decimal string, computed piecewise so no digit is lost. */
function mod97(digits: string): number {
  let rest = 0;
  for (let i = 0; i < digits.length; i += 7) rest = Number(`${rest}${digits.slice(i, i + 7)}`) % 97;
  return rest;
}

/** Whether `value` (spaces allowed) is a well-formed ISO 11649 creditor reference with valid check digits. */
export function isCreditorReference(value: string): boolean {
  const compact = value.replace(/\s+/g, '').toUpperCase();
  if (!/^RF\d{2}[A-Z0-9]{1,21}$/.test(compact)) return false;
  return mod97(numeric(`${compact.slice(4)}${compact.slice(0, 4)}`)) === 1;
}

/** The ISO 11649 creditor reference for a reference body (letters and digits, at most 21). */
export function creditorReference(body: string): string {
  const clean = body.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z0-9]{1,21}$/.test(clean)) throw new RangeError(`Not a creditor reference body: ${body}`);
  const check = 98 - mod97(numeric(`${clean}RF00`));
  return `RF${String(check).padStart(2, '0')}${clean}`;
}

/**
 * The body of the first valid creditor reference in a text (the part after "RF" and the check
 * digits: what the creditor issued), or null. Written in groups of four (`RF18 5390 0754 7034`) or
 * compact; a candidate whose check digits fail is not one.
 */
export function findCreditorReference(text: string | null | undefined): string | null {
  if (!text) return null;
  for (const match of text.toUpperCase().matchAll(/RF\d{2}(?:\s?[A-Z0-9]){1,21}/g)) {
    // A grouped reference may run into the next word: try the longest prefix that checks out.
    const compact = match[0].replace(/\s+/g, '');
    for (let end = compact.length; end > 4; end--) {
      if (isCreditorReference(compact.slice(0, end))) return compact.slice(4, end);
    }
  }
  return null;
}

/**
 * The Czech variable symbol in a text: `VS 123`, `VS:123`, `VS/123`, `/VS123` (the ČBA layout of
 * an ISO 20022 end-to-end id, `/VS123/SS456/KS0308`), up to 10 digits, leading zeros dropped as
 * banks do; or null.
 */
export function findVariableSymbol(text: string | null | undefined): string | null {
  const match = text?.toUpperCase().match(/(?:^|[^A-Z])VS[\s:/]*0*(\d{1,10})(?!\d)/);
  return match?.[1] ?? null;
}
