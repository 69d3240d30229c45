/**
 * What a delivery's body must be before anything reads it: JSON by its content type, and nested no
 * deeper than {@link MAX_BODY_DEPTH}. Both are checked on the raw text, so a hostile body never
 * reaches a recursive reader (mapping, zod, structuredClone) that could overflow the stack.
 */

/** Deepest nesting of objects and arrays a delivery may have (docs/webhooks.md). */
export const MAX_BODY_DEPTH = 32;

const JSON_MEDIA_TYPE = /^\s*application\/(json|[\w.+-]+\+json)\s*(;|$)/i;

/** True for `application/json` (any parameters) and `application/*+json`. */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_MEDIA_TYPE.test(contentType);
}

/** True when no object or array in the JSON text is nested deeper than `limit`; strings are skipped. */
export function withinDepth(text: string, limit = MAX_BODY_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > limit) return false;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return true;
}
