import * as z from 'zod';

/**
 * Stream and bus images are parsed at the edge rather than cast: an image that lacks what a consumer
 * needs (a schema drift, a hand-edited item) fails with the fields at fault, goes through the
 * consumer's retries and lands in the failure store, instead of acting on `undefined`.
 */

/** Raised for an image a consumer cannot read; its message names the fields at fault. */
export class ChangeImageError extends Error {
  constructor(entity: string, issues: z.core.$ZodIssue[]) {
    const fields = issues.map((i) => `${i.path.join('.') || '(image)'}: ${i.message}`).join('; ');
    super(`${entity} image cannot be read: ${fields}`);
    this.name = 'ChangeImageError';
  }
}

/** The image as `schema` reads it, or a ChangeImageError naming what is missing or malformed. */
export function parseImage<T>(schema: z.ZodType<T>, entity: string, image: unknown): T {
  const parsed = schema.safeParse(image);
  if (!parsed.success) throw new ChangeImageError(entity, parsed.error.issues);
  return parsed.data;
}

/** Common image fields. */
export const imageText = z.string().min(1);
export const imageDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a YYYY-MM-DD date');
export const imageMoney = z.object({
  amount: z.string().regex(/^-?\d+(\.\d+)?$/),
  currency: z.string().length(3),
});
