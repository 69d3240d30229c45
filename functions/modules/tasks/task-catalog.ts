import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import {
  DEFAULT_PROCESS_TEMPLATES,
  DEFAULT_TASK_TYPES,
  type ProcessTemplate,
  type TaskType,
  type TaskTypeCode,
} from './tasks.model.js';
import type { TasksRepository } from './tasks.repository.js';

/**
 * A tenant's task types and process templates, as data. Types are written on first use (the
 * defaults, which a tenant may later edit in its collection); templates a tenant has not set come
 * from the defaults.
 */
export class TaskCatalog {
  constructor(private readonly repo: TasksRepository) {}

  /** The tenant's task types, the defaults written on first use. */
  async types(tenantId: string): Promise<TaskType[]> {
    const stored = await this.repo.listTaskTypes(tenantId);
    if (stored.length > 0) return order(stored);
    await this.repo.seedTaskTypes(tenantId, DEFAULT_TASK_TYPES);
    return order(await this.repo.listTaskTypes(tenantId));
  }

  /** The tenant's task types by code. */
  async typeMap(tenantId: string): Promise<Map<TaskTypeCode, TaskType>> {
    return new Map((await this.types(tenantId)).map((t) => [t.code, t]));
  }

  /** The tenant's process templates: its own, and the defaults for the kinds it has not set. */
  async templates(tenantId: string): Promise<ProcessTemplate[]> {
    const own = await this.repo.listProcessTemplates(tenantId);
    return DEFAULT_PROCESS_TEMPLATES.map(
      (d) => own.find((t) => t.kind === d.kind) ?? { ...d, steps: [...d.steps] },
    ).map(({ kind, name, steps }) => ({ kind, name, steps }));
  }

  listTaskTypes(principal: Principal | null): Promise<TaskType[]> {
    const p = authorize(principal, 'tasks:read');
    return this.types(p.tenantId);
  }

  listProcessTemplates(principal: Principal | null): Promise<ProcessTemplate[]> {
    const p = authorize(principal, 'tasks:read');
    return this.templates(p.tenantId);
  }
}

const ORDER = new Map(DEFAULT_TASK_TYPES.map((t, i) => [t.code, i]));

function order(types: TaskType[]): TaskType[] {
  return types
    .map(({ code, name, slaHours, expectedMinutes }) => ({ code, name, slaHours, expectedMinutes }))
    .sort((a, b) => (ORDER.get(a.code) ?? 99) - (ORDER.get(b.code) ?? 99));
}
