import type { _Record, AttributeValue as StreamsAttributeValue } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/**
 * A record read with the DynamoDB Streams API in the shape Lambda delivers it. Both readers outside
 * Lambda need it: the local stream poller (DynamoDB Local's stream) and the cloud's failure drain
 * (records read back from the stream by the pointers a failure queue holds).
 */

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** DynamoDB Local hands binary over as bytes; Lambda's record shape carries it as base64 strings. */
export function toLambdaAttribute(value: StreamsAttributeValue): AttributeValue {
  // The Streams client deserializes an empty map `{"M":{}}` into a value with no member at all
  // (an empty list keeps its `L`), which unmarshall rejects; Lambda delivers `{"M":{}}`.
  if (Object.keys(value).length === 0) return { M: {} };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) ?? {} };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttribute) };
  return value as AttributeValue;
}

function toLambdaImage(
  image: Record<string, StreamsAttributeValue> | undefined,
): Record<string, AttributeValue> | undefined {
  if (!image) return undefined;
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, toLambdaAttribute(v)]));
}

const KNOWN_EVENTS = new Set(['INSERT', 'MODIFY', 'REMOVE']);

/**
 * Gives a record from DynamoDB Local the shape Lambda delivers (STACK-NOTES.md, "DynamoDB Local"):
 * the source ARN and region, creation time as epoch seconds, binary as base64. Local reports TTL
 * deletions with an event name the SDK does not know and without the service identity; they are
 * turned into what AWS sends, a REMOVE by `dynamodb.amazonaws.com`, so TTL consumers can be written
 * against the real shape.
 */
export function toLambdaRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const ttlRemoval =
    !KNOWN_EVENTS.has(record.eventName ?? '') &&
    stream.OldImage !== undefined &&
    stream.NewImage === undefined;
  const out: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: ttlRemoval ? 'REMOVE' : (record.eventName as DynamoDBRecord['eventName']),
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime:
        stream.ApproximateCreationDateTime !== undefined
          ? Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000)
          : undefined,
      Keys: toLambdaImage(stream.Keys),
      NewImage: toLambdaImage(stream.NewImage),
      OldImage: toLambdaImage(stream.OldImage),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
  };
  if (record.userIdentity) {
    out.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  } else if (ttlRemoval) {
    out.userIdentity = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
  }
  for (const key of Object.keys(out.dynamodb ?? {}) as Array<keyof NonNullable<DynamoDBRecord['dynamodb']>>) {
    if (out.dynamodb?.[key] === undefined) delete out.dynamodb?.[key];
  }
  return out;
}
