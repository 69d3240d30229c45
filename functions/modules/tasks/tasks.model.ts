import * as z from 'zod';
import { IdSchema, optionalText, text } from '../../shared/input.js';

/** The kinds of task every tenant starts with; CUSTOM covers the rest. */
export const TASK_TYPE_CODES = [
  'CALL',
  'MEETING',
  'OFFER',
  'DOCUMENT',
  'PAYMENT_FOLLOW_UP',
  'RENEWAL',
  'CUSTOM',
] as const;
export type TaskTypeCode = (typeof TASK_TYPE_CODES)[number];

export const TASK_STATUSES = ['OPEN', 'DONE', 'CANCELLED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** How a task ended; process templates react to it. */
export const TASK_OUTCOMES = ['SUCCESSFUL', 'ACCEPTED', 'DECLINED', 'NO_CONTACT', 'DONE'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** The deal's checkpoints a task may mark: presentation → proposal → contract. */
export const CHECKPOINTS = ['PRESENTATION', 'PROPOSAL', 'CONTRACT'] as const;
export type Checkpoint = (typeof CHECKPOINTS)[number];

/** The sales processes a template describes. */
export const PROCESS_KINDS = ['RENEWAL', 'NEW_CLIENT', 'CROSS_SELL'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];

/** A task type of a tenant: its SLA (hours from creation to due) and efficiency standard. */
export interface TaskType {
  code: TaskTypeCode;
  name: string;
  slaHours: number;
  expectedMinutes: number;
}

/** The task types a tenant gets on first use. */
export const DEFAULT_TASK_TYPES: readonly TaskType[] = [
  { code: 'CALL', name: 'Call', slaHours: 24, expectedMinutes: 15 },
  { code: 'MEETING', name: 'Meeting', slaHours: 72, expectedMinutes: 60 },
  { code: 'OFFER', name: 'Offer', slaHours: 48, expectedMinutes: 45 },
  { code: 'DOCUMENT', name: 'Document', slaHours: 72, expectedMinutes: 30 },
  { code: 'PAYMENT_FOLLOW_UP', name: 'Payment follow-up', slaHours: 48, expectedMinutes: 20 },
  { code: 'RENEWAL', name: 'Renewal', slaHours: 24 * 30, expectedMinutes: 40 },
  { code: 'CUSTOM', name: 'Custom', slaHours: 72, expectedMinutes: 30 },
];

/** A task: who does what for which client by when, and how it ended. */
export interface Task {
  id: string;
  typeCode: TaskTypeCode;
  title: string;
  assigneeId: string;
  /** Where the assignee sits, for scope checks and team lists. */
  branchId: string | null;
  regionId: string | null;
  clientId: string;
  policyId: string | null;
  dueAt: string;
  /** When the task breaches its type's SLA (creation + SLA hours). */
  slaDueAt: string;
  expectedMinutes: number;
  priority: TaskPriority;
  status: TaskStatus;
  outcome: TaskOutcome | null;
  note: string | null;
  checkpoint: Checkpoint | null;
  /** The process the task belongs to, if any, and the template step that created it. */
  process: ProcessKind | null;
  stepKey: string | null;
  createdBy: string;
  delegatedBy: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  version: number;
}

/** What a process creates when one of its tasks ends with an outcome. */
export interface ProcessStep {
  /** Stable key: the next task's id is `<completed task id>.<key>`, so it is created once. */
  key: string;
  whenType: TaskTypeCode;
  whenOutcome: TaskOutcome;
  createType: TaskTypeCode;
  title: string;
  dueInDays: number;
  checkpoint: Checkpoint | null;
}

/** A process template of a tenant: its chain of steps. */
export interface ProcessTemplate {
  kind: ProcessKind;
  name: string;
  steps: ProcessStep[];
}

const step = (
  key: string,
  whenType: TaskTypeCode,
  whenOutcome: TaskOutcome,
  createType: TaskTypeCode,
  title: string,
  dueInDays: number,
  checkpoint: Checkpoint | null = null,
): ProcessStep => ({ key, whenType, whenOutcome, createType, title, dueInDays, checkpoint });

/** The templates a tenant uses until it sets its own. */
export const DEFAULT_PROCESS_TEMPLATES: readonly ProcessTemplate[] = [
  {
    kind: 'RENEWAL',
    name: 'Renewal',
    steps: [
      step('offer', 'RENEWAL', 'SUCCESSFUL', 'OFFER', 'Send the renewal offer', 2, 'PROPOSAL'),
      step('contract', 'OFFER', 'ACCEPTED', 'DOCUMENT', 'Sign the renewal contract', 3, 'CONTRACT'),
    ],
  },
  {
    kind: 'NEW_CLIENT',
    name: 'New client',
    steps: [
      step('meeting', 'CALL', 'SUCCESSFUL', 'MEETING', 'Present the offer in person', 3, 'PRESENTATION'),
      step('offer', 'MEETING', 'SUCCESSFUL', 'OFFER', 'Send the offer', 2, 'PROPOSAL'),
      step('contract', 'OFFER', 'ACCEPTED', 'DOCUMENT', 'Sign the contract', 3, 'CONTRACT'),
    ],
  },
  {
    kind: 'CROSS_SELL',
    name: 'Cross-sell',
    steps: [
      step('offer', 'CALL', 'SUCCESSFUL', 'OFFER', 'Send the cross-sell offer', 2, 'PROPOSAL'),
      step('contract', 'OFFER', 'ACCEPTED', 'DOCUMENT', 'Sign the contract', 3, 'CONTRACT'),
    ],
  },
];

const IsoInstantSchema = z.iso.datetime({ offset: true, message: 'must be an ISO date-time' });

export const CreateTaskInputSchema = z.object({
  typeCode: z.enum(TASK_TYPE_CODES),
  title: text(200),
  clientId: IdSchema,
  policyId: IdSchema.nullish(),
  assigneeId: IdSchema.nullish(),
  dueAt: IsoInstantSchema.nullish(),
  priority: z.enum(TASK_PRIORITIES).nullish(),
  checkpoint: z.enum(CHECKPOINTS).nullish(),
  process: z.enum(PROCESS_KINDS).nullish(),
  note: optionalText(2000),
});
export type CreateTaskInput = z.output<typeof CreateTaskInputSchema>;

export const CompleteTaskInputSchema = z.object({
  id: IdSchema,
  expectedVersion: z.number().int().min(1),
  outcome: z.enum(TASK_OUTCOMES),
  note: optionalText(2000),
});

export const ReassignTasksInputSchema = z.object({
  taskIds: z.array(IdSchema).min(1, 'name at least one task').max(100, 'at most 100 tasks at once'),
  toUserId: IdSchema,
  reason: optionalText(500),
});

export const TaskFilterSchema = z.object({
  assigneeId: IdSchema.nullish(),
  clientId: IdSchema.nullish(),
  branchId: IdSchema.nullish(),
  status: z.enum(TASK_STATUSES).nullish(),
  dueFrom: IsoInstantSchema.nullish(),
  dueTo: IsoInstantSchema.nullish(),
});
export type TaskFilter = z.output<typeof TaskFilterSchema>;
