/**
 * The leads module's public entry: lead forms (managed through GraphQL) and the public intake of
 * `POST /leads/{formId}`. Other modules are reached through the ports in ports.ts.
 */
import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { LeadFormsService } from './lead-forms.service.js';
import { LeadIntakeService } from './lead-intake.service.js';
import { LeadsRepository } from './leads.repository.js';
import type { LeadClients, LeadOrg, LeadTasks } from './ports.js';

export type { LeadIntakeService } from './lead-intake.service.js';
export type { LeadForm, LeadRequest, LeadResponse } from './leads.model.js';
export type {
  FirstContactTask,
  LeadClients,
  LeadMatchField,
  LeadOrg,
  LeadTasks,
  NewLeadClient,
} from './ports.js';

/** The leads services. */
export interface LeadsModule {
  forms: LeadFormsService;
  intake: LeadIntakeService;
}

export interface LeadsDeps {
  db: Db;
  clock: Clock;
  clients: LeadClients;
  tasks: LeadTasks;
  org: LeadOrg;
}

export function createLeadsModule(deps: LeadsDeps): LeadsModule {
  const repo = new LeadsRepository(deps.db);
  return {
    forms: new LeadFormsService(repo, deps.org, deps.clock),
    intake: new LeadIntakeService(repo, deps.clients, deps.tasks, deps.org, deps.clock),
  };
}
