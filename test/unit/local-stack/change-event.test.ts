import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  matchesFilter,
  tenantOfKey,
  toChangeDetail,
  toChangeEvent,
} from '../../../functions/shared/change-event.js';

function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { newType?: string; oldType?: string },
): DynamoDBRecord {
  const image = (type: string) => ({
    pk: { S: 'T#acme#CLIENT#c1' },
    sk: { S: 'CLIENT' },
    type: { S: type },
    premium: { N: '12.5' },
    tags: { SS: ['a', 'b'] },
    nested: { M: { on: { BOOL: true } } },
  });
  return {
    eventID: 'e1',
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { pk: { S: 'T#acme#CLIENT#c1' }, sk: { S: 'CLIENT' } },
      ...(images.newType ? { NewImage: image(images.newType) } : {}),
      ...(images.oldType ? { OldImage: image(images.oldType) } : {}),
      SequenceNumber: '100',
    },
  };
}

describe('matchesFilter', () => {
  it('matches the new image type and the event name', () => {
    const filter = { entityTypes: ['Client'], events: ['INSERT' as const] };
    expect(matchesFilter(record('INSERT', { newType: 'Client' }), filter)).toBe(true);
    expect(matchesFilter(record('INSERT', { newType: 'Policy' }), filter)).toBe(false);
    expect(matchesFilter(record('MODIFY', { newType: 'Client', oldType: 'Client' }), filter)).toBe(false);
  });

  it('takes the entity type of a REMOVE from the old image', () => {
    const filter = { entityTypes: ['Client'], events: ['REMOVE' as const] };
    expect(matchesFilter(record('REMOVE', { oldType: 'Client' }), filter)).toBe(true);
    expect(matchesFilter(record('REMOVE', { oldType: 'Policy' }), filter)).toBe(false);
  });

  it('treats an empty list as unrestricted, and an untyped item as matching no listed type', () => {
    expect(matchesFilter(record('MODIFY', { newType: 'X' }), { entityTypes: [], events: [] })).toBe(true);
    expect(matchesFilter(record('REMOVE', { oldType: 'X' }), { entityTypes: ['X'], events: [] })).toBe(true);
    expect(matchesFilter(record('INSERT', {}), { entityTypes: ['X'], events: [] })).toBe(false);
    expect(matchesFilter(record('INSERT', {}), { entityTypes: [], events: ['INSERT'] })).toBe(true);
  });
});

describe('toChangeDetail', () => {
  it('unmarshalls keys and images and takes the tenant from the partition key', () => {
    const detail = toChangeDetail(record('MODIFY', { newType: 'Client', oldType: 'Client' }));
    expect(detail).toMatchObject({
      eventName: 'MODIFY',
      eventID: 'e1',
      entityType: 'Client',
      tenantId: 'acme',
      keys: { pk: 'T#acme#CLIENT#c1', sk: 'CLIENT' },
      sequenceNumber: '100',
    });
    expect(detail.newImage?.premium).toBe(12.5);
    expect(detail.newImage?.tags).toEqual(new Set(['a', 'b']));
    expect(detail.oldImage?.nested).toEqual({ on: true });
  });

  it('omits what a record does not carry', () => {
    const detail = toChangeDetail(record('REMOVE', { oldType: 'Client' }));
    expect('newImage' in detail).toBe(false);
    expect(detail.oldImage?.type).toBe('Client');
  });

  it('rejects records that are not changes', () => {
    expect(() => toChangeDetail({ eventID: 'x' })).toThrow(TypeError);
  });

  it('wraps a detail in an EventBridge envelope', () => {
    const detail = toChangeDetail(record('INSERT', { newType: 'Client' }));
    const event = toChangeEvent(detail, {
      id: 'id1',
      time: '2026-01-01T00:00:00Z',
      account: '1',
      region: 'r',
    });
    expect(event).toEqual({
      version: '0',
      id: 'id1',
      'detail-type': 'TableChange',
      source: 'broker-crm.table',
      account: '1',
      time: '2026-01-01T00:00:00Z',
      region: 'r',
      resources: [],
      detail,
    });
  });
});

describe('tenantOfKey', () => {
  it('reads the tenant segment and ignores keys outside tenants', () => {
    expect(tenantOfKey('T#acme#X')).toBe('acme');
    expect(tenantOfKey('T#acme')).toBe('acme');
    expect(tenantOfKey('ROUTE#INSURER#i1')).toBeUndefined();
    expect(tenantOfKey(undefined)).toBeUndefined();
  });
});
