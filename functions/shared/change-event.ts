/**
 * What a change-bus subscriber receives, and the two rules every host must agree on: how a stream
 * record becomes a bus event, and which records a consumer's {@link ChangeFilter} selects.
 *
 * The table's stream has exactly two readers (ARCHITECTURE.md): the commission consumer and one pipe
 * that forwards every change to the change bus. Both the cloud (EventBridge Pipes → EventBridge)
 * and the local stack (`infra/local/`) build the event with {@link toChangeDetail}, so a subscriber
 * sees the same detail on both hosts. In the cloud the pipe's enrichment step runs this function:
 * an input template alone cannot unmarshall DynamoDB JSON into plain objects.
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord, EventBridgeEvent } from 'aws-lambda';
import { TABLE } from './table-design.js';

export type StreamEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

/** Which table changes a consumer wants: entity types (the `type` attribute) and event names. */
export interface ChangeFilter {
  entityTypes: string[];
  events: StreamEventName[];
}

/** `detail-type` of every change-bus event; bus rules match on it. */
export const CHANGE_DETAIL_TYPE = 'TableChange';
/** `source` of every change-bus event; bus rules match on it. */
export const CHANGE_SOURCE = 'broker-crm.table';

/**
 * One table change as a bus subscriber sees it. Images are plain objects (numbers as JS numbers,
 * sets as `Set`s, binary as the base64 string Lambda's stream shape carries), so subscribers never
 * handle DynamoDB JSON.
 */
export interface TableChangeDetail {
  eventName: StreamEventName;
  /** The stream record's id: stable across redeliveries, so subscribers can deduplicate on it. */
  eventID: string;
  /** The item's `type` attribute (new image, else old image); absent on items without one. */
  entityType?: string;
  /** Parsed from the `T#<tenantId>#…` partition key; absent for the few non-tenant items. */
  tenantId?: string;
  keys: Record<string, unknown>;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
  /** Orders changes of one item (within a shard); compare as big integers, not strings. */
  sequenceNumber: string;
}

/** An EventBridge event carrying one table change: the argument of a bus subscriber's handler. */
export type TableChangeEvent = EventBridgeEvent<typeof CHANGE_DETAIL_TYPE, TableChangeDetail>;

type Image = Record<string, AttributeValue>;

const EVENT_NAMES: ReadonlySet<string> = new Set<StreamEventName>(['INSERT', 'MODIFY', 'REMOVE']);

function plain(image: Image | undefined): Record<string, unknown> | undefined {
  // Lambda's AttributeValue differs from the SDK's only in carrying binary as base64 strings,
  // which unmarshall passes through unchanged.
  return image ? unmarshall(image as Record<string, SdkAttributeValue>) : undefined;
}

/** The entity type a filter matches on: the new image's `type`, else the old image's (REMOVE). */
export function recordEntityType(record: DynamoDBRecord): string | undefined {
  const typeOf = (image: Image | undefined) => image?.[TABLE.entityType]?.S;
  return typeOf(record.dynamodb?.NewImage) ?? typeOf(record.dynamodb?.OldImage);
}

/** The tenant of a `T#<tenantId>#…` partition key, or undefined for keys outside any tenant. */
export function tenantOfKey(pk: unknown): string | undefined {
  if (typeof pk !== 'string' || !pk.startsWith('T#')) return undefined;
  const end = pk.indexOf('#', 2);
  const tenantId = end === -1 ? pk.slice(2) : pk.slice(2, end);
  return tenantId || undefined;
}

/**
 * Turns one Lambda-shaped stream record into the change-bus detail. Pure and total over the records
 * a `NEW_AND_OLD_IMAGES` stream produces; throws on records that carry no change (no event name the
 * catalog knows, no keys, no sequence number), which only a broken source could send.
 */
export function toChangeDetail(record: DynamoDBRecord): TableChangeDetail {
  const eventName = record.eventName;
  const stream = record.dynamodb;
  if (!eventName || !EVENT_NAMES.has(eventName) || !stream?.Keys || !stream.SequenceNumber) {
    throw new TypeError(`Not a table change record: ${JSON.stringify(record).slice(0, 300)}`);
  }
  const keys = plain(stream.Keys) ?? {};
  const detail: TableChangeDetail = {
    eventName,
    eventID: record.eventID ?? stream.SequenceNumber,
    keys,
    sequenceNumber: stream.SequenceNumber,
  };
  const entityType = recordEntityType(record);
  if (entityType !== undefined) detail.entityType = entityType;
  const tenantId = tenantOfKey(keys[TABLE.partitionKey]);
  if (tenantId !== undefined) detail.tenantId = tenantId;
  const newImage = plain(stream.NewImage);
  if (newImage) detail.newImage = newImage;
  const oldImage = plain(stream.OldImage);
  if (oldImage) detail.oldImage = oldImage;
  return detail;
}

/** Everything a bus event has besides its detail; the host supplies it. */
export interface ChangeEventEnvelope {
  id: string;
  time: string;
  account: string;
  region: string;
}

/** Wraps a detail in the EventBridge envelope the pipe's target bus gives it. */
export function toChangeEvent(detail: TableChangeDetail, envelope: ChangeEventEnvelope): TableChangeEvent {
  return {
    version: '0',
    id: envelope.id,
    'detail-type': CHANGE_DETAIL_TYPE,
    source: CHANGE_SOURCE,
    account: envelope.account,
    time: envelope.time,
    region: envelope.region,
    resources: [],
    detail,
  };
}

/**
 * Whether a change passes a catalog filter. An empty list leaves that dimension unrestricted, so
 * `{ entityTypes: [], events: ['REMOVE'] }` means "every delete"; the cloud expresses the same by
 * leaving that key out of the filter pattern. A change without an entity type only passes a filter
 * whose `entityTypes` is empty, as an EventBridge pattern on a missing field never matches.
 */
export function matchesChange(
  change: { eventName?: string | undefined; entityType?: string | undefined },
  filter: ChangeFilter,
): boolean {
  if (filter.events.length > 0 && !filter.events.some((e) => e === change.eventName)) return false;
  if (filter.entityTypes.length === 0) return true;
  return change.entityType !== undefined && filter.entityTypes.includes(change.entityType);
}

/**
 * The catalog filter applied to a raw stream record, as a stream consumer's event source mapping
 * filter criteria apply it in the cloud (entity type from `NewImage.type`, else `OldImage.type`).
 */
export function matchesFilter(record: DynamoDBRecord, filter: ChangeFilter): boolean {
  return matchesChange({ eventName: record.eventName, entityType: recordEntityType(record) }, filter);
}

/** The catalog filter applied to a bus event's detail, as the subscriber's bus rule applies it. */
export function matchesDetail(detail: TableChangeDetail, filter: ChangeFilter): boolean {
  return matchesChange(detail, filter);
}
