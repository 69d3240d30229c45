import type { Db } from '../../shared/db.js';
import { AlreadyExistsError } from '../../shared/errors.js';
import { getRecord, toItem } from '../../shared/items.js';
import { EntityType, keys, TABLE } from '../../shared/table-design.js';

/** A reminder as recorded before its send: PENDING while a sender holds its lease, SENT after. */
export interface ReminderRecord {
  id: string;
  kind: 'DUE_SOON' | 'DIGEST' | 'MEETING_SMS' | 'ALERT';
  status: 'PENDING' | 'SENT';
  to: string;
  recordedAt: string;
  sentAt: string | null;
  leaseUntil: string;
  attempts: number;
}

/**
 * Reminders recorded before they are sent, so each goes out once: the first run records it
 * (conditional put) and holds a lease while it sends; a provider failure gives the lease back, and
 * a later run takes the PENDING record over and sends again; SENT is final.
 */
export class RemindersRepository {
  constructor(private readonly db: Db) {}

  async get(tenantId: string, id: string): Promise<ReminderRecord | undefined> {
    return getRecord<ReminderRecord>(this.db, keys.reminder(tenantId, id), { consistent: true });
  }

  /** Records a new reminder as PENDING under a lease; false when it was recorded already. */
  async record(tenantId: string, reminder: ReminderRecord): Promise<boolean> {
    try {
      await this.db.putNew(
        toItem(keys.reminder(tenantId, reminder.id), EntityType.Reminder, tenantId, reminder),
        () => new AlreadyExistsError('Reminder', 'id', reminder.id),
      );
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  /** Takes over a PENDING reminder whose lease was given back or ran out; false when another holds it. */
  claim(tenantId: string, id: string, now: string, leaseUntil: string): Promise<boolean> {
    return this.update(
      tenantId,
      id,
      'SET #lease = :lease, #attempts = #attempts + :one',
      '#status = :pending AND #lease < :now',
      { ':lease': leaseUntil, ':now': now },
    );
  }

  /** Gives the lease back after a failed send, so the next run retries at once. */
  async release(tenantId: string, id: string): Promise<void> {
    await this.update(tenantId, id, 'SET #lease = :released', '#status = :pending', { ':released': '' });
  }

  /** Marks a PENDING reminder SENT. */
  async complete(tenantId: string, id: string, at: string): Promise<boolean> {
    return this.update(tenantId, id, 'SET #status = :sent, #sentAt = :at', '#status = :pending', {
      ':sent': 'SENT',
      ':at': at,
    });
  }

  private async update(
    tenantId: string,
    id: string,
    set: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    const update = `${set}, #version = #version + :one`;
    const used = (token: string) => update.includes(token) || condition.includes(token);
    const names = Object.fromEntries(Object.entries(NAMES).filter(([token]) => used(token)));
    const allValues = { ':pending': 'PENDING', ':one': 1, ...values };
    try {
      await this.db.transact([
        {
          item: {
            Update: {
              TableName: '',
              Key: keys.reminder(tenantId, id),
              UpdateExpression: update,
              ConditionExpression: condition,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: Object.fromEntries(
                Object.entries(allValues).filter(([token]) => used(token)),
              ),
            },
          },
          onConditionFailed: () => new AlreadyExistsError('Reminder', 'lease', id),
        },
      ]);
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }
}

const NAMES: Record<string, string> = {
  '#status': 'status',
  '#lease': 'leaseUntil',
  '#attempts': 'attempts',
  '#sentAt': 'sentAt',
  '#version': TABLE.version,
};
