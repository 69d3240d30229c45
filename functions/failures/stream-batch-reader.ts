import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  ShardIteratorType,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamBatch, StreamBatchInfo, StreamBatchReader } from '../modules/failures/index.js';
import { toLambdaRecord } from '../shared/stream-record.js';

/** Pages without reaching the end of the batch before the read is given up and retried later. */
const MAX_PAGES = 50;

/** Thrown when the end of a batch was not reached within the page bound (the message is retried). */
export class StreamBatchIncompleteError extends Error {
  readonly code = 'STREAM_BATCH_INCOMPLETE';
}

/**
 * Reads a failed batch back from a DynamoDB stream: an iterator AT_SEQUENCE_NUMBER of its first
 * record, then GetRecords page by page until a record past its last sequence number (or the end of
 * a closed shard). Sequence numbers are compared as big integers: their string lengths differ. A
 * batch the stream trimmed (records live 24 h) or a shard that no longer exists answers `expired`.
 */
export function streamBatchReader(client: DynamoDBStreamsClient): StreamBatchReader {
  return async (info: StreamBatchInfo): Promise<StreamBatch> => {
    // arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
    const region = info.streamArn.split(':')[3] ?? '';
    const end = BigInt(info.endSequenceNumber);
    let iterator: string | undefined;
    try {
      const out = await client.send(
        new GetShardIteratorCommand({
          StreamArn: info.streamArn,
          ShardId: info.shardId,
          ShardIteratorType: ShardIteratorType.AT_SEQUENCE_NUMBER,
          SequenceNumber: info.startSequenceNumber,
        }),
      );
      iterator = out.ShardIterator;
    } catch (error) {
      if (error instanceof TrimmedDataAccessException || error instanceof ResourceNotFoundException) {
        return { expired: `${error.name}: ${error.message}` };
      }
      throw error;
    }
    const records: DynamoDBRecord[] = [];
    for (let page = 0; iterator && page < MAX_PAGES; page++) {
      let out: GetRecordsCommandOutput;
      try {
        out = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      } catch (error) {
        if (error instanceof TrimmedDataAccessException)
          return { expired: `${error.name}: ${error.message}` };
        throw error;
      }
      for (const record of out.Records ?? []) {
        if (BigInt(record.dynamodb?.SequenceNumber ?? '0') > end) return { records };
        records.push(toLambdaRecord(record, info.streamArn, region));
      }
      if (records.length > 0 && BigInt(records.at(-1)?.dynamodb?.SequenceNumber ?? '0') === end)
        return { records };
      iterator = out.NextShardIterator;
    }
    if (!iterator) return { records };
    throw new StreamBatchIncompleteError(
      `Read ${MAX_PAGES} pages of ${info.shardId} from ${info.startSequenceNumber} without reaching ${info.endSequenceNumber}`,
    );
  };
}
