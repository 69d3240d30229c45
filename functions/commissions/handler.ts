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
 * Records are handled in order; on the first failure the rest of the batch is reported failed from
 * that record on, so the retry resumes there (a record already handled writes nothing on replay).
 */
export const handler = middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const batch = new ChangeBatch();
  for (const [i, record] of event.Records.entries()) {
    try {
      const outcome = await commissions.consumer.onChange(toChangeDetail(record), batch);
      if (outcome.written > 0 || outcome.duplicates > 0) logger.info('commission lines', { ...outcome });
    } catch (error) {
      logger.error('commission consumer failed', { eventID: record.eventID, error });
      return {
        batchItemFailures: event.Records.slice(i).map((r) => ({
          itemIdentifier: r.dynamodb?.SequenceNumber ?? '',
        })),
      };
    }
  }
  return { batchItemFailures: [] };
}).use(observability('commissions'));
