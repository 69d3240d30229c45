import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { bookRepositories } from '../modules/book-wiring.js';
import { ChangeBatch } from '../modules/commissions/index.js';
import { composeCommissions } from '../modules/money-wiring.js';
import { toChangeDetail } from '../shared/change-event.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

const runtime = getRuntime();
const commissions = composeCommissions(runtime.db, runtime.clock, bookRepositories(runtime.db));

/**
 * The commission consumer: the table's one direct stream reader, for Policy and Payment writes.
 * The batch is booked in order per policy, other policies side by side; when a record fails, the
 * batch is reported failed from that record (or an earlier one not booked yet) on, so the retry
 * resumes there (a record already handled writes nothing on replay).
 */
export const handler = middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const { outcomes, failedFrom, failure } = await commissions.consumer.onBatch(
    event.Records,
    toChangeDetail,
    new ChangeBatch(),
  );
  for (const outcome of outcomes)
    if (outcome && (outcome.written > 0 || outcome.duplicates > 0))
      logger.info('commission lines', { ...outcome });
  if (failedFrom === null) return { batchItemFailures: [] };
  logger.error('commission consumer failed', {
    eventID: event.Records[failure?.index ?? failedFrom]?.eventID,
    error: failure?.error,
  });
  return {
    batchItemFailures: event.Records.slice(failedFrom).map((r) => ({
      itemIdentifier: r.dynamodb?.SequenceNumber ?? '',
    })),
  };
}).use(observability('commissions'));
