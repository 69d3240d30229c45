import type { Db, Page } from '../../shared/db.js';
import { AlreadyExistsError, VersionConflictError } from '../../shared/errors.js';
import { fromItem, getRecord, queryRecords, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { CollectorTask, DunningPolicy, DunningStepRecord, StepOutcome } from './invoices.model.js';
import type { PageRequest } from './query-filter.js';

/** The invoices module's access to DynamoDB for dunning: the policy, the steps taken, the collector's tasks. */
export class DunningRepository {
  constructor(private readonly db: Db) {}

  async getDunningPolicy(tenantId: string): Promise<DunningPolicy | undefined> {
    return getRecord<DunningPolicy>(this.db, keys.dunningPolicy(tenantId), { consistent: true });
  }

  async saveDunningPolicy(tenantId: string, policy: DunningPolicy, expectedVersion: number): Promise<void> {
    const item = toItem(keys.dunningPolicy(tenantId), EntityType.DunningPolicy, tenantId, {
      ...policy,
      version: expectedVersion + 1,
    });
    const conflict = () => new VersionConflictError('DunningPolicy', tenantId, expectedVersion);
    if (expectedVersion === 0) {
      await this.db.putNew(item, conflict);
      return;
    }
    await this.db.transact([
      {
        item: {
          Put: {
            TableName: '',
            Item: item,
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
        onConditionFailed: conflict,
      },
    ]);
  }

  /**
   * Records a dunning step before anything is sent: a conditional put, so of all the deliveries and
   * replays of the same change only one gets to take the step. False when it was recorded before.
   */
  async recordStep(tenantId: string, step: DunningStepRecord): Promise<boolean> {
    try {
      await this.db.putNew(
        toItem(
          keys.dunningStep(tenantId, step.invoiceId, step.stepId),
          EntityType.DunningStep,
          tenantId,
          step,
        ),
        () => new AlreadyExistsError('DunningStep', 'id', step.stepId),
      );
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  async getStep(
    tenantId: string,
    invoiceId: string,
    stepId: string,
  ): Promise<(DunningStepRecord & { version: number }) | undefined> {
    return getRecord<DunningStepRecord & { version: number }>(
      this.db,
      keys.dunningStep(tenantId, invoiceId, stepId),
      { consistent: true },
    );
  }

  async listSteps(tenantId: string, invoiceId: string): Promise<DunningStepRecord[]> {
    const items = await this.db.queryAll({
      partition: keys.invoiceCollection(tenantId, invoiceId),
      beginsWith: keys.dunningStepPrefix,
    });
    return items.map((i) => fromItem<DunningStepRecord>(i));
  }

  /**
   * Takes over a PENDING step whose lease was released or ran out; false while another delivery
   * holds it (or it is no longer pending).
   */
  async claimPendingStep(
    tenantId: string,
    invoiceId: string,
    stepId: string,
    now: string,
    leaseUntil: string,
  ): Promise<boolean> {
    return this.conditionalStepUpdate(
      tenantId,
      invoiceId,
      stepId,
      'SET #lease = :lease, #version = #version + :one',
      '#o = :pending AND (attribute_not_exists(#lease) OR #lease < :now)',
      { ':lease': leaseUntil, ':now': now },
    );
  }

  /** Gives a PENDING step's lease back after a failed send, so the retry takes it over at once. */
  async releaseStep(tenantId: string, invoiceId: string, stepId: string): Promise<void> {
    await this.conditionalStepUpdate(
      tenantId,
      invoiceId,
      stepId,
      'SET #lease = :released, #version = #version + :one',
      '#o = :pending',
      { ':released': '' },
    );
  }

  private async conditionalStepUpdate(
    tenantId: string,
    invoiceId: string,
    stepId: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
    names: Record<string, string> = {},
  ): Promise<boolean> {
    try {
      await this.db.transact([
        {
          item: {
            Update: {
              TableName: '',
              Key: keys.dunningStep(tenantId, invoiceId, stepId),
              UpdateExpression: update,
              ConditionExpression: condition,
              ExpressionAttributeNames: {
                ...names,
                '#o': 'outcome',
                '#version': 'version',
                ...(update.includes('#lease') || condition.includes('#lease')
                  ? { '#lease': 'leaseUntil' }
                  : {}),
              },
              ExpressionAttributeValues: { ...values, ':pending': 'PENDING', ':one': 1 },
            },
          },
          onConditionFailed: () => new AlreadyExistsError('DunningStep', 'lease', stepId),
        },
      ]);
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  /** Moves a recorded step from PENDING to its outcome; conditioned on PENDING so it completes once. */
  async completeStep(
    tenantId: string,
    invoiceId: string,
    stepId: string,
    outcome: StepOutcome,
    reason: string | null,
    at: string,
  ): Promise<boolean> {
    return this.conditionalStepUpdate(
      tenantId,
      invoiceId,
      stepId,
      'SET #o = :o, #r = :r, #c = :c, #version = #version + :one',
      '#o = :pending',
      { ':o': outcome, ':r': reason, ':c': at },
      { '#r': 'reason', '#c': 'completedAt' },
    );
  }

  /** The collector's task for a step; keyed by invoice and step, so a retry rewrites the same task. */
  async putCollectorTask(tenantId: string, stepId: string, task: CollectorTask): Promise<void> {
    await this.db.put(
      toItem(keys.collectorTask(tenantId, task.invoiceId, stepId), EntityType.CollectorTask, tenantId, task),
    );
  }

  async listCollectorTasks(tenantId: string, page: PageRequest): Promise<Page<CollectorTask>> {
    return queryRecords<CollectorTask>(this.db, { partition: keys.collectorTasks(tenantId), ...page });
  }
}
