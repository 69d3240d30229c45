import type { Db, Page } from '../../shared/db.js';
import { AlreadyExistsError } from '../../shared/errors.js';
import { fromItem, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { Checkpoint } from './tasks.model.js';

/** A deviation the schedules found: a checkpoint task late beyond its SLA. */
export interface TaskAlert {
  /** Derived from what it is about (`late-checkpoint.<task id>`), so it is raised once. */
  id: string;
  kind: 'LATE_CHECKPOINT';
  taskId: string;
  title: string;
  checkpoint: Checkpoint;
  clientId: string;
  assigneeId: string;
  branchId: string | null;
  regionId: string | null;
  /** The assignee's manager, whom the alert e-mails; null when the assignee has none. */
  managerId: string | null;
  slaDueAt: string;
  raisedAt: string;
}

/** Alerts: each its own item (written once), listed newest first on the tenant's alert index. */
export class AlertsRepository {
  constructor(private readonly db: Db) {}

  /** Records an alert; false when it was raised already. */
  async raise(tenantId: string, alert: TaskAlert): Promise<boolean> {
    try {
      await this.db.putNew(
        toItem(
          keys.alert(tenantId, alert.id),
          EntityType.TaskAlert,
          tenantId,
          alert,
          keys.alertIndexes(tenantId, alert),
        ),
        () => new AlreadyExistsError('TaskAlert', 'id', alert.id),
      );
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  /** listAlerts: the tenant's alerts, newest first. */
  async listAlerts(
    tenantId: string,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<TaskAlert>> {
    const result = await this.db.queryPage({
      index: 'gsi1',
      partition: keys.alertsOfTenant(tenantId),
      newestFirst: true,
      ...page,
    });
    return { ...result, items: result.items.map((i) => fromItem<TaskAlert>(i)) };
  }
}
