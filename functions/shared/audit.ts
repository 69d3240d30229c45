import { AsyncLocalStorage } from 'node:async_hooks';
import { newId } from './ids.js';
import { auditSortKey, EntityType, type ItemKey, keys, STORAGE_ATTRIBUTES } from './table-design.js';

/**
 * The audit trail: an append-only before/after record of every change to the entities listed in
 * {@link AUDITED_TYPES}, written by the data layer (db.ts) into the same TransactWriteItems as the
 * change itself, so a change that fails leaves no record and a record never misses its change.
 * Who changed it comes from the {@link AuditActor} the GraphQL layer runs each mutation under; work
 * without an actor (stream and bus consumers, schedules, seeding) is derived from audited changes
 * and is not itself audited.
 */

/** An item as stored (db.ts's AuditableItem, restated: db.ts imports this file). */
export interface AuditableItem {
  pk: string;
  sk: string;
  type: string;
  [attribute: string]: unknown;
}

/** A transaction op (db.ts's AuditableOp, restated for the same reason). */
export interface AuditableOp {
  item: {
    Put?: { Item?: Record<string, unknown>; ConditionExpression?: string };
    Update?: UpdateShape & { Key?: Record<string, unknown> };
    Delete?: { Key?: Record<string, unknown> };
  };
}

/** The entity types whose every change is audited. */
export const AUDITED_TYPES: ReadonlySet<string> = new Set<string>([
  EntityType.Client,
  EntityType.Policy,
  EntityType.CommissionScheme,
  EntityType.CommissionLine,
  EntityType.CommissionPeriod,
  EntityType.User,
  EntityType.ApiKey,
  EntityType.RolePermissions,
]);

/** Who is changing data in this async context, and under which request. */
export interface AuditActor {
  tenantId: string;
  /** A user id, or `apikey:<id>` for a machine client. */
  actorId: string;
  requestId: string | null;
}

const actors = new AsyncLocalStorage<AuditActor>();

/** Runs `work` with `actor` as the author of every audited write it makes (a mutation's resolver). */
export function runAsActor<T>(actor: AuditActor, work: () => T): T {
  return actors.run(actor, work);
}

/** The actor of the current async context, if a mutation is running. */
export function currentActor(): AuditActor | undefined {
  return actors.getStore();
}

/** Whether an actor id names an API key (see the access module's `apiKeyActor`). */
export function actorKindOf(actorId: string): 'USER' | 'API_KEY' {
  return actorId.startsWith('apikey:') ? 'API_KEY' : 'USER';
}

/** Before/after images larger than this (UTF-8 JSON bytes) are replaced by a marker: an item holds at most 400 KB. */
export const MAX_IMAGE_BYTES = 150_000;

/**
 * The one place an item becomes an audit image. Today the record as stored, minus its storage keys;
 * GDPR erasure will pseudonymise here (and rewrite stored images through the same function).
 */
export function auditImage(item: AuditableItem | undefined | null): Record<string, unknown> | null {
  if (!item) return null;
  const record = Object.fromEntries(Object.entries(item).filter(([k]) => !STORAGE_ATTRIBUTES.has(k)));
  const bytes = Buffer.byteLength(JSON.stringify(record), 'utf8');
  return bytes > MAX_IMAGE_BYTES ? { truncated: true, bytes } : record;
}

/** One change the data layer is about to write: the item as it stands and as it will stand. */
export interface AuditedChange {
  before: AuditableItem | undefined;
  after: AuditableItem | undefined;
}

/** The op that appends one audit entry for a change, under its entity, its actor and the tenant's trail. */
export function auditOp(
  actor: AuditActor,
  change: AuditedChange,
  at: string,
): { item: { Put: { TableName: string; Item: AuditableItem; ConditionExpression: string } } } | null {
  const image = change.after ?? change.before;
  if (!image || !AUDITED_TYPES.has(String(image.type))) return null;
  const entityType = String(image.type);
  const entityId = entityIdOf(image);
  const id = newId();
  const action = !change.before ? 'CREATED' : !change.after ? 'DELETED' : 'UPDATED';
  const sort = auditSortKey(at, id);
  const item: AuditableItem = {
    ...keys.auditEntry(actor.tenantId, entityType, entityId, at, id),
    type: EntityType.AuditEntry,
    tenantId: actor.tenantId,
    version: 1,
    id,
    entityType,
    entityId,
    action,
    actorId: actor.actorId,
    actorKind: actorKindOf(actor.actorId),
    requestId: actor.requestId,
    at,
    before: auditImage(change.before),
    after: auditImage(change.after),
    gsi1pk: keys.auditOfActor(actor.tenantId, actor.actorId),
    gsi1sk: sort,
    gsi2pk: keys.auditOfTenant(actor.tenantId),
    gsi2sk: sort,
  };
  return { item: { Put: { TableName: '', Item: item, ConditionExpression: 'attribute_not_exists(pk)' } } };
}

function entityIdOf(item: AuditableItem): string {
  for (const attribute of ['id', 'period'] as const) {
    const value = item[attribute];
    if (typeof value === 'string' && value) return value;
  }
  // Singletons (the tenant's role permissions) are named by their tenant.
  return String(item.tenantId ?? 'tenant');
}

/**
 * The audit entries of a transaction's changes to audited items, when a mutation's actor is running
 * (none otherwise): `read` fetches, strongly consistent, the items the ops update, delete or replace.
 */
export async function auditOpsFor(
  ops: readonly AuditableOp[],
  read: (keys: ItemKey[]) => Promise<AuditableItem[]>,
): Promise<Array<NonNullable<ReturnType<typeof auditOp>>>> {
  const actor = currentActor();
  if (!actor) return [];
  const inspect = keysToInspect(ops);
  const current = new Map((inspect.length ? await read(inspect) : []).map((i) => [keyId(i), i]));
  const at = new Date().toISOString();
  return auditedChanges(ops, current).flatMap((change) => auditOp(actor, change, at) ?? []);
}

/**
 * The keys whose current item an op's audit needs (updates and deletes; puts of audited types that
 * may replace an item: a put conditional on the key being free has no item before it, so a new
 * policy or client costs its write no read).
 */
export function keysToInspect(ops: readonly AuditableOp[]): ItemKey[] {
  const found = new Map<string, ItemKey>();
  for (const { item } of ops) {
    const replaces = putOfAuditedType(item.Put) && item.Put?.ConditionExpression !== INSERT_ONLY;
    const key = item.Update?.Key ?? item.Delete?.Key ?? (replaces ? item.Put?.Item : null);
    if (key) found.set(keyId(key), { pk: String(key.pk), sk: String(key.sk) });
  }
  return [...found.values()];
}

/** The condition of a put that creates an item only if its key is free (db.ts `putNewOp`). */
const INSERT_ONLY = 'attribute_not_exists(pk)';

function putOfAuditedType(put: { Item?: Record<string, unknown> } | undefined): boolean {
  return put?.Item !== undefined && AUDITED_TYPES.has(String(put.Item.type));
}

/** The changes a transaction makes to audited items, given the items as they stand now. */
export function auditedChanges(
  ops: readonly AuditableOp[],
  current: ReadonlyMap<string, AuditableItem>,
): AuditedChange[] {
  const changes: AuditedChange[] = [];
  for (const { item } of ops) {
    if (item.Put && putOfAuditedType(item.Put)) {
      const after = item.Put.Item as AuditableItem;
      changes.push({ before: current.get(keyId(after)), after });
    } else if (item.Update?.Key) {
      const before = current.get(keyId(item.Update.Key));
      if (before && AUDITED_TYPES.has(String(before.type)))
        changes.push({ before, after: applyUpdate(before, item.Update) });
    } else if (item.Delete?.Key) {
      const before = current.get(keyId(item.Delete.Key));
      if (before && AUDITED_TYPES.has(String(before.type))) changes.push({ before, after: undefined });
    }
  }
  return changes;
}

/** A key as a map key. */
export function keyId(key: { pk?: unknown; sk?: unknown }): string {
  return `${String(key.pk)}\u0000${String(key.sk)}`;
}

interface UpdateShape {
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * The item after an update expression, for the forms our repositories write (`#a = :v`,
 * `#a = #a + :v`, `#a = if_not_exists(#a, :v)`, `#a = list_append(#a, :v)`, `REMOVE`, `ADD`); any
 * other form records the attribute as `"<unresolved>"` rather than guessing.
 */
export function applyUpdate(before: AuditableItem, update: UpdateShape): AuditableItem {
  const names = update.ExpressionAttributeNames ?? {};
  const values = update.ExpressionAttributeValues ?? {};
  const after: Record<string, unknown> = { ...before };
  const name = (token: string) => names[token] ?? token;
  const value = (token: string): unknown => {
    const t = token.trim();
    if (t.startsWith(':')) return values[t];
    return after[name(t)];
  };
  const clauses = /(SET|REMOVE|ADD|DELETE)\s+([\s\S]*?)(?=\s+(?:SET|REMOVE|ADD|DELETE)\s+|$)/g;
  for (const [, verb, body] of (update.UpdateExpression ?? '').matchAll(clauses)) {
    for (const part of splitTopLevel(body ?? '')) {
      if (verb === 'REMOVE') {
        delete after[name(part)];
      } else if (verb === 'SET') {
        const [path = '', expression = ''] = part.split(/=(.*)/s).map((s) => s.trim());
        after[name(path)] = evaluate(expression, value);
      } else if (verb === 'ADD') {
        const [path = '', operand = ''] = part.split(/\s+/);
        after[name(path)] = Number(after[name(path)] ?? 0) + Number(value(operand));
      } else {
        after[name(part.split(/\s+/)[0] ?? '')] = '<unresolved>';
      }
    }
  }
  return after as AuditableItem;
}

function evaluate(expression: string, value: (token: string) => unknown): unknown {
  const arithmetic = /^(\S+)\s*([+-])\s*(\S+)$/.exec(expression);
  if (arithmetic) {
    const left = Number(value(arithmetic[1] ?? ''));
    const right = Number(value(arithmetic[3] ?? ''));
    return arithmetic[2] === '+' ? left + right : left - right;
  }
  const call = /^(if_not_exists|list_append)\((.*)\)$/s.exec(expression);
  if (call) {
    const [a = '', b = ''] = splitTopLevel(call[2] ?? '');
    if (call[1] === 'if_not_exists') return value(a) ?? value(b);
    const first = value(a);
    const second = value(b);
    return Array.isArray(first) && Array.isArray(second) ? [...first, ...second] : '<unresolved>';
  }
  if (/^[#:][\w]+$/.test(expression)) return value(expression);
  return '<unresolved>';
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}
