/**
 * The leads module's public entry: lead forms (managed through GraphQL), the public intake of
 * `POST /leads/{formId}` and partners' portal leads (`submitPartnerLead`), both filed by one
 * {@link LeadFiling}. Other modules are reached through the ports in ports.ts.
 */
import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { LeadFiling } from './lead-filing.js';
import { LeadFormsService } from './lead-forms.service.js';
import { LeadIntakeService } from './lead-intake.service.js';
import { LeadsRepository } from './leads.repository.js';
import { PartnerLeadsService } from './partner-leads.service.js';
import type { LeadClients, LeadOrg, LeadTasks } from './ports.js';

export type { LeadIntakeService } from './lead-intake.service.js';
export type { LeadForm, LeadRequest, LeadResponse, PartnerLeadReceipt } from './leads.model.js';
export type { PartnerLeadAnswer, PartnerLeadsService } from './partner-leads.service.js';
export type {
  FirstContactTask,
  LeadClients,
  LeadConsent,
  LeadMatchField,
  LeadOrg,
  LeadTasks,
  NewLeadClient,
} from './ports.js';

/** The leads services. */
export interface LeadsModule {
  forms: LeadFormsService;
  intake: LeadIntakeService;
  /** Leads partners submit through their portal. */
  partnerLeads: PartnerLeadsService;
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
  const filing = new LeadFiling(repo, deps.clients, deps.tasks, deps.clock);
  return {
    forms: new LeadFormsService(repo, deps.org, deps.clock),
    intake: new LeadIntakeService(repo, filing, deps.org, deps.clock),
    partnerLeads: new PartnerLeadsService(repo, filing, deps.org, deps.clock),
  };
}
