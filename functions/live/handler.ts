import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { TableChangeDetail, TableChangeEvent } from '../shared/change-event.js';
import { LiveInbox } from '../shared/live-inbox.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

/** What the `live` function is invoked with: a batch off its queue, or one bus event (a direct call). */
export type LiveEvent = SQSEvent | TableChangeEvent;

/**
 * The change bus's `live` subscriber: files the changes of live entity types into their recipients'
 * inboxes, where those users' open streams poll them (docs/decisions/0007-live-updates.md). The bus
 * rule feeds a queue the function reads in batches (catalog trigger `batch`), so a burst's changes
 * of one recipient become one inbox item per batch instead of one each (functions/shared/live-inbox.ts,
 * docs/scale.md section 6). Lambda's SQS contract: a message whose body is not a change event is
 * reported alone in `batchItemFailures` (retried, then the dead-letter queue); a failed write fails
 * the whole batch, whose redelivery rewrites the same items (keyed by the changes' sequence numbers).
 */
export function liveHandler(inbox: LiveInbox) {
  const file = async (event: LiveEvent): Promise<SQSBatchResponse | { filed: boolean }> => {
    if (!('Records' in event)) return { filed: await inbox.file(event.detail) };
    const changes: TableChangeDetail[] = [];
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const detail = changeOf(record.body);
      if (detail) changes.push(detail);
      else batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    await inbox.fileBatch(changes);
    return { batchItemFailures };
  };
  return middy(file).use(observability('live'));
}

/** The change a queued bus event carries, or undefined for a body that is not one. */
function changeOf(body: string): TableChangeDetail | undefined {
  try {
    const detail = (JSON.parse(body) as Partial<TableChangeEvent>).detail;
    return detail && typeof detail.sequenceNumber === 'string' && typeof detail.eventID === 'string'
      ? detail
      : undefined;
  } catch {
    return undefined;
  }
}

const runtime = getRuntime();
export const handler = liveHandler(new LiveInbox(runtime.db, runtime.clock));
