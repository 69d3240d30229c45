import * as z from 'zod';

const StreamEventNameSchema = z.enum(['INSERT', 'MODIFY', 'REMOVE']);

/** Each failure queue with the consumers its failed changes belong to, each with its change filter. */
const FailureQueuesSchema = z
  .array(
    z.object({
      queueArn: z.string().min(1),
      routes: z.array(
        z.object({
          consumer: z.string().min(1),
          filter: z.object({ entityTypes: z.array(z.string()), events: z.array(StreamEventNameSchema) }),
        }),
      ),
    }),
  )
  .transform((queues) => Object.fromEntries(queues.map((q) => [q.queueArn, q.routes])));

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The process environment, parsed once at cold start. A missing or malformed variable fails the
 * cold start with the variable's name instead of failing some request later. Only this module
 * reads `process.env`; endpoints of local emulators reach the AWS SDK through its own standard
 * variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3…), so handlers cannot tell the hosts apart.
 */
const EnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  STAGE: z.enum(['local', 'test', 'dev', 'prod']).default('local'),
  /** JWKS endpoint of the token issuer (Cognito in the cloud, the local issuer on the local stack). */
  AUTH_JWKS_URL: z.url().optional(),
  /** Inline JWKS JSON, used by tests so token verification needs no HTTP. */
  AUTH_JWKS_JSON: z.string().optional(),
  AUTH_ISSUER: z.string().min(1),
  AUTH_AUDIENCE: z.string().min(1),
  REPORTS_BUCKET: z.string().optional(),
  ARCHIVE_BUCKET: z.string().optional(),
  MAIL_FROM: z.string().optional(),
  /** Where SMS go on the local stack (no emulator sends SMS); unset in the cloud, where SNS does. */
  SMS_SINK_URL: z.url().optional(),
  /**
   * The public base URL of the HTTP API (e.g. `https://api.example.com`): links in campaign e-mails
   * (`/unsubscribe/{token}`) point at it. Without it campaign e-mails are not sent.
   */
  PUBLIC_BASE_URL: z.url().optional(),
  /**
   * Secrets that seal pagination cursors, newest first, comma-separated (each ≥ 32 characters): the
   * first seals, all open, so a rotated-out secret kept second keeps its cursors valid. The local
   * stack generates and keeps them in `.local/`.
   */
  CURSOR_KEYS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((k) => k.trim())
            .filter(Boolean)
        : undefined,
    )
    .refine((keys) => !keys || keys.every((k) => k.length >= 32), 'every key needs at least 32 characters'),
  /**
   * The cloud's Secrets Manager secret holding the cursor secret: its AWSCURRENT version seals, its
   * AWSPREVIOUS version still opens, read at cold start (used when CURSOR_KEYS is unset).
   */
  CURSOR_SECRET_ARN: z.string().min(1).optional(),
  /**
   * The failure drain's routes (cloud only): JSON `[{ "queueArn", "routes": [{ "consumer", "filter" }] }]`:
   * which consumer a failure queue's messages belong to and which changes that consumer takes (a
   * stream batch read back holds every change in its range; the pipe's queue routes to every bus
   * consumer). Written by the cloud stack from the catalog.
   */
  FAILURE_QUEUES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return {};
      const parsed = FailureQueuesSchema.safeParse(safeJson(v));
      if (parsed.success) return parsed.data;
      ctx.addIssue({
        code: 'custom',
        message: 'must be JSON: [{ queueArn, routes: [{ consumer, filter }] }]',
      });
      return z.NEVER;
    }),
  /**
   * Per-tenant limit of the GraphQL API, per warm instance (docs/scale.md, "Fairness between
   * tenants"): tokens a tenant gets a second; a request spends 1 plus 1 per 1,000 of its estimated
   * cost above the first. 0 turns the limit off.
   */
  API_TENANT_RATE_PER_SECOND: z.coerce.number().min(0).default(20),
  /** The most a tenant may spend at once after a quiet spell; unset: twice the rate. */
  API_TENANT_BURST: z.coerce.number().positive().optional(),
  /** Webhook deliveries a tenant may send a minute per warm instance (burst: one minute's worth); 0: off. */
  WEBHOOK_TENANT_DELIVERIES_PER_MINUTE: z.coerce.number().min(0).default(30),
  /** Webhook deliveries one insurer of a tenant may send a minute per warm instance; 0: off. */
  WEBHOOK_INSURER_DELIVERIES_PER_MINUTE: z.coerce.number().min(0).default(20),
  /** How many tenants' (or insurers') buckets an instance keeps before forgetting the least recent. */
  RATE_LIMIT_MAX_KEYS: z.coerce.number().int().min(1).default(10_000),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export type Env = z.infer<typeof EnvSchema>;

/** Parses an environment map; exported for tests that check the failure message. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  if (!result.data.AUTH_JWKS_URL && !result.data.AUTH_JWKS_JSON) {
    throw new Error('Invalid environment: AUTH_JWKS_URL or AUTH_JWKS_JSON must be set');
  }
  return result.data;
}

let cached: Env | undefined;

/** The environment of this process, parsed on first use and then fixed for the process's life. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Test hook: forget the parsed environment so a test can set other variables. */
export function resetEnvForTests(): void {
  cached = undefined;
}
