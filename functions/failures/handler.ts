import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  createFailureRecorder,
  type FailureMessage,
  type FailureRoute,
  type FailuresService,
  failuresOfMessage,
  type StreamBatchReader,
} from '../modules/failures/index.js';
import { logger } from '../shared/logger.js';
import { observability, tracer } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';
import { streamBatchReader } from './stream-batch-reader.js';

function toFailureMessage(record: SQSRecord): FailureMessage {
  const sent = Number(record.attributes.SentTimestamp);
  return {
    messageId: record.messageId,
    body: record.body,
    sentAt: new Date(Number.isFinite(sent) ? sent : Date.now()).toISOString(),
    attributes: Object.fromEntries(
      Object.entries(record.messageAttributes ?? {}).map(([k, v]) => [k, v.stringValue]),
    ),
  };
}

/**
 * The failure drain: every failure queue (stream readers' on-failure records, the pipe's and bus
 * rules' dead letters) feeds it, and each message becomes failed changes in the store, where admins
 * list and replay them. SQS partial batch responses: a message that could not be recorded (stream or
 * table unreachable) is reported alone and comes back; the others are deleted from the queue.
 */
export function failuresHandler(
  failures: Pick<FailuresService, 'record'>,
  routes: Readonly<Record<string, FailureRoute[]>>,
  readBatch: StreamBatchReader,
) {
  return middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const found = await failuresOfMessage(
          toFailureMessage(record),
          routes[record.eventSourceARN] ?? [],
          readBatch,
        );
        for (const failure of found) {
          const stored = await failures.record(failure);
          logger.warn('failed change recorded', {
            id: stored.id,
            consumer: stored.consumer,
            tenantId: stored.tenantId,
          });
        }
      } catch (error) {
        logger.error('failure message not recorded', { messageId: record.messageId, error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  }).use(observability('failures'));
}

const runtime = getRuntime();
export const handler = failuresHandler(
  createFailureRecorder(runtime.db, runtime.clock),
  runtime.env.FAILURE_QUEUES,
  streamBatchReader(tracer.captureAWSv3Client(new DynamoDBStreamsClient({}))),
);
