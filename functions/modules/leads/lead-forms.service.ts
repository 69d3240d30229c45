import { assertReach, authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { NotFoundError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { parseInput } from '../../shared/validation.js';
import { CreateLeadFormSchema, type LeadForm } from './leads.model.js';
import type { LeadsRepository } from './leads.repository.js';
import type { LeadOrg } from './ports.js';

/** Lead forms: created and listed by managers; each has a public URL `POST /leads/{formId}`. */
export class LeadFormsService {
  constructor(
    private readonly repo: LeadsRepository,
    private readonly org: LeadOrg,
    private readonly clock: Clock,
  ) {}

  async list(principal: Principal | null): Promise<LeadForm[]> {
    const p = authorize(principal, 'leads:configure');
    return this.repo.listLeadForms(p.tenantId);
  }

  async create(principal: Principal | null, input: unknown): Promise<LeadForm> {
    const p = authorize(principal, 'leads:configure');
    const data = parseInput(CreateLeadFormSchema, input);
    const branch = await this.org.branchRegion(p.tenantId, data.branchId);
    if (!branch) throw new NotFoundError('Branch', data.branchId);
    // A branch or region manager sets up forms for the branches they reach only.
    assertReach(p, { ownerUserId: null, branchId: data.branchId, regionId: branch.regionId }, 'The branch');
    if (!(await this.org.hasLeadSource(p.tenantId, data.leadSourceId)))
      throw new NotFoundError('LeadSource', data.leadSourceId);
    const form: LeadForm = {
      id: newId(),
      tenantId: p.tenantId,
      name: data.name,
      branchId: data.branchId,
      leadSourceId: data.leadSourceId,
      allowedOrigins: [...new Set(data.allowedOrigins)],
      consentsAsked: [...new Set(data.consentsAsked)],
      leadsAccepted: 0,
      takesPartnerLeads: data.takesPartnerLeads === true,
      createdBy: p.userId,
      createdAt: this.clock.now().toISOString(),
      version: 1,
    };
    await this.repo.createLeadForm(form);
    return form;
  }
}
