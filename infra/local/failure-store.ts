import type { DynamoDBRecord } from 'aws-lambda';
import type { ChangeFailure, FailuresService } from '../../functions/modules/failures/index.js';
import { type TableChangeEvent, toChangeDetail } from '../../functions/shared/change-event.js';
import type { FailureEntry, FailureSink } from './change-bus.js';

/** A stream record's position, kept when the record cannot be turned into a change detail. */
function pointerOf(streamArn: string, shardId: string, record: DynamoDBRecord): string {
  return `${streamArn}/${shardId}/${record.dynamodb?.SequenceNumber ?? '?'}`;
}

/**
 * The failure entries of the local stack as failures of one consumer on one change each: a stream
 * entry holds the given-up records (one failed change per record), a bus entry one event. Schedule
 * failures carry no change and stay in the log only.
 */
export function changeFailures(entry: FailureEntry): ChangeFailure[] {
  const base = {
    consumer: entry.function,
    error: entry.error ?? entry.reason,
    attempts: entry.attempts,
    at: entry.at,
  };
  if (entry.source === 'bus') {
    return [{ ...base, change: (entry.payload as TableChangeEvent).detail }];
  }
  if (entry.source !== 'stream') return [];
  const { streamArn, shardId, records } = entry.payload as {
    streamArn: string;
    shardId: string;
    records: DynamoDBRecord[];
  };
  return records.map((record) => {
    try {
      return { ...base, change: toChangeDetail(record) };
    } catch (error) {
      return {
        ...base,
        change: null,
        eventID: record.eventID ?? pointerOf(streamArn, shardId, record),
        pointer: pointerOf(streamArn, shardId, record),
        error: `${base.error}; unreadable record: ${(error as Error).message}`,
      };
    }
  });
}

/** Stores every given-up change in the table's failure store, where admins list and replay it. */
export function failureStoreSink(failures: FailuresService): FailureSink {
  return async (entry) => {
    for (const failure of changeFailures(entry)) await failures.record(failure);
  };
}
