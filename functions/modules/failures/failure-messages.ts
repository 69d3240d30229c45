import type { DynamoDBRecord } from 'aws-lambda';
import {
  CHANGE_DETAIL_TYPE,
  type ChangeFilter,
  matchesFilter,
  type TableChangeDetail,
  toChangeDetail,
} from '../../shared/change-event.js';
import type { ChangeFailure } from './failures.model.js';

/** One consumer a failure queue's messages belong to, with the changes it takes. */
export interface FailureRoute {
  consumer: string;
  filter: ChangeFilter;
}

/**
 * Where a failed stream batch sat: what a stream mapping's on-failure destination and the change
 * pipe's dead-letter queue both send (`DDBStreamBatchInfo`), instead of the records themselves.
 */
export interface StreamBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  streamArn: string;
  batchSize?: number;
}

/** The records of a batch read back from the stream, or why they cannot be (trimmed after 24 h). */
export type StreamBatch = { records: DynamoDBRecord[] } | { expired: string };

/** Reads a failed batch's records back from the stream (DynamoDB Streams in the cloud). */
export type StreamBatchReader = (batch: StreamBatchInfo) => Promise<StreamBatch>;

/** One SQS message of a failure queue, as the drain takes it from the SQS event. */
export interface FailureMessage {
  messageId: string;
  body: string;
  /** SQS `SentTimestamp`: epoch milliseconds, when the message entered the failure queue. */
  sentAt: string;
  /** The bus rule's dead-letter attributes (`ERROR_CODE`, `ERROR_MESSAGE`, `RETRY_ATTEMPTS`). */
  attributes: Record<string, string | undefined>;
}

/**
 * Stream on-failure record (Lambda: `requestContext` and `responseContext`; the pipe: `context`),
 * reduced to what the drain reads.
 */
interface StreamFailureBody {
  DDBStreamBatchInfo: StreamBatchInfo;
  requestContext?: { condition?: string; approximateInvokeCount?: number };
  responseContext?: { functionError?: string | null; statusCode?: number };
  context?: { condition?: string; partnerResourceArn?: string };
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function isStreamFailure(body: unknown): body is StreamFailureBody {
  const info = (body as StreamFailureBody | undefined)?.DDBStreamBatchInfo;
  return (
    typeof info?.shardId === 'string' &&
    typeof info.startSequenceNumber === 'string' &&
    typeof info.endSequenceNumber === 'string' &&
    typeof info.streamArn === 'string'
  );
}

function isChangeEvent(body: unknown): body is { detail: TableChangeDetail } {
  const event = body as { 'detail-type'?: unknown; detail?: { eventID?: unknown } } | undefined;
  return event?.['detail-type'] === CHANGE_DETAIL_TYPE && typeof event.detail?.eventID === 'string';
}

/** `<stream ARN>/<shard>/<start>..<end>`: enough to find the batch again while the stream keeps it. */
export function batchPointer(info: StreamBatchInfo): string {
  return `${info.streamArn}/${info.shardId}/${info.startSequenceNumber}..${info.endSequenceNumber}`;
}

function streamError(body: StreamFailureBody): string {
  const condition = body.requestContext?.condition ?? body.context?.condition ?? 'unknown condition';
  const source = body.context?.partnerResourceArn
    ? `change pipe ${body.context.partnerResourceArn}`
    : 'stream reader';
  const functionError = body.responseContext?.functionError;
  return `${source} gave up: ${condition}${functionError ? ` (${functionError})` : ''}`;
}

/**
 * Turns one failure-queue message into the failures it reports, one per (consumer, change):
 * - a stream batch pointer (a direct reader's on-failure record, or the pipe's dead letter): the
 *   records are read back and each one a route's filter selects becomes a failure; a batch the stream
 *   no longer holds becomes one pointer failure per route, with a note saying so;
 * - a bus rule's dead letter (the EventBridge event itself): the change in its `detail`;
 * - anything else: one pointer failure naming the message, so nothing is dropped silently.
 * Throws only when the stream cannot be read for a reason other than expiry, so the message is
 * delivered again.
 */
export async function failuresOfMessage(
  message: FailureMessage,
  routes: readonly FailureRoute[],
  readBatch: StreamBatchReader,
): Promise<ChangeFailure[]> {
  const body = parse(message.body);
  const base = { at: message.sentAt, deliveryId: message.messageId };
  const consumers =
    routes.length > 0 ? routes : [{ consumer: 'unknown', filter: { entityTypes: [], events: [] } }];

  if (isChangeEvent(body)) {
    const { ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS } = message.attributes;
    const error = `bus delivery gave up: ${[ERROR_CODE, ERROR_MESSAGE].filter(Boolean).join(': ') || 'retries exhausted'}`;
    const attempts = RETRY_ATTEMPTS && /^\d+$/.test(RETRY_ATTEMPTS) ? Number(RETRY_ATTEMPTS) + 1 : 1;
    return consumers.map((r) => ({ ...base, consumer: r.consumer, change: body.detail, error, attempts }));
  }

  if (isStreamFailure(body)) {
    const info = body.DDBStreamBatchInfo;
    const error = streamError(body);
    const attempts = body.requestContext?.approximateInvokeCount ?? 1;
    const pointer = batchPointer(info);
    const batch = await readBatch(info);
    const pointerOnly = (note: string): ChangeFailure[] =>
      consumers.map((r) => ({
        ...base,
        consumer: r.consumer,
        change: null,
        eventID: pointer,
        pointer,
        tenantId: null,
        attempts,
        error: `${error}; ${note}: only the pointer is kept, the changes cannot be replayed`,
      }));
    if ('expired' in batch) return pointerOnly(`records no longer in the stream (${batch.expired})`);
    const failures: ChangeFailure[] = [];
    for (const record of batch.records) {
      for (const route of consumers) {
        if (!matchesFilter(record, route.filter)) continue;
        try {
          failures.push({
            ...base,
            consumer: route.consumer,
            change: toChangeDetail(record),
            error,
            attempts,
          });
        } catch (e) {
          const recordPointer = `${info.streamArn}/${info.shardId}/${record.dynamodb?.SequenceNumber ?? '?'}`;
          failures.push({
            ...base,
            consumer: route.consumer,
            change: null,
            eventID: record.eventID ?? recordPointer,
            pointer: recordPointer,
            tenantId: null,
            attempts,
            error: `${error}; unreadable record: ${(e as Error).message}`,
          });
        }
      }
    }
    return failures.length > 0 ? failures : pointerOnly('no record read back matches the consumers');
  }

  return consumers.map((r) => ({
    ...base,
    consumer: r.consumer,
    change: null,
    eventID: `sqs:${message.messageId}`,
    pointer: `sqs:${message.messageId}`,
    tenantId: null,
    attempts: 1,
    error: `unrecognised failure-queue message: ${message.body.slice(0, 500)}`,
  }));
}
