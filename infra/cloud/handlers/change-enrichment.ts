import type { DynamoDBRecord } from 'aws-lambda';
import { type TableChangeDetail, toChangeDetail } from '../../../functions/shared/change-event.js';

/**
 * The change pipe's enrichment step: turns each stream record of a batch into the change-bus detail
 * the local stack builds too (`toChangeDetail`), so bus subscribers see plain images on both hosts.
 * Pipes sends each element of the returned array to the bus as one event's detail.
 */
export const handler = async (records: DynamoDBRecord[]): Promise<TableChangeDetail[]> =>
  records.map(toChangeDetail);
