import { type AccessPattern, pattern } from './access-patterns-book.js';

/** Access patterns of the tasks module. */
export const TASK_ACCESS_PATTERNS: readonly AccessPattern[] = [
  pattern('getTask', 'tasks', 'GetItem', 'table', 'pk=T#<t>#TASK#<id> sk=TASK', 'built'),
  pattern(
    'listTasksByAssignee and calendar (due between instants)',
    'tasks',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#OWNER#<user>#TASK gsi1sk=<due>#<id>',
    'built',
  ),
  pattern(
    'listTasksByClient',
    'tasks',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#CLIENT#<id>#TASK gsi2sk=<due>#<id>',
    'built',
  ),
  pattern(
    "listTasksByBranch (a manager's team)",
    'tasks',
    'Query',
    'gsi3',
    'gsi3pk=T#<t>#BRANCH#<id>#TASK gsi3sk=<due>#<id>',
    'built',
  ),
  pattern(
    'listOpenTasks (reminders, late checkpoints; open tasks only)',
    'tasks',
    'Query',
    'gsi4',
    'gsi4pk=T#<t>#OPEN_TASKS gsi4sk=<due>#<id>',
    'built',
  ),
  pattern(
    'listTasksOfTenant (tenant-wide lists)',
    'tasks',
    'Query',
    'gsi5',
    'gsi5pk=T#<t>#TASKS gsi5sk=<due>#<id>',
    'built',
  ),
  pattern('listTaskTypes', 'tasks', 'Query', 'table', 'pk=T#<t>#TASK_TYPE', 'built'),
  pattern('listProcessTemplates', 'tasks', 'Query', 'table', 'pk=T#<t>#PROCESS_TEMPLATE', 'built'),
  pattern('getTaskSettings', 'tasks', 'GetItem', 'table', 'pk=T#<t>#TASK_SETTINGS sk=SETTINGS', 'built'),
];
