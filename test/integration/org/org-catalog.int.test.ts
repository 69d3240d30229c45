import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { createTenant, createTestApp, errorCode, principalFor, type TestApp } from '../../support/app.js';

interface InsurerWithSecret {
  insurer: { id: string; name: string; webhookPath: string; version: number };
  webhookSecret: string;
  previousSecretValidUntil: string | null;
}

const CREATE_INSURER = `mutation($i: CreateInsurerInput!) {
  createInsurer(input: $i) { insurer { id name webhookPath version } webhookSecret previousSecretValidUntil }
}`;
const ROTATE = `mutation($id: ID!) {
  rotateInsurerWebhookSecret(id: $id) { insurer { id name webhookPath version } webhookSecret previousSecretValidUntil }
}`;
const EVERY_INSURER_READ = `query($id: ID!) {
  insurer(id: $id) { id name companyId active webhookPath version createdAt updatedAt }
  insurers(first: 100) { edges { cursor node { id name companyId active webhookPath version createdAt updatedAt } } }
}`;

describe('partners, lead sources, insurers and product lines', () => {
  let app: TestApp;
  let tenantId: string;
  let admin: Principal;

  beforeAll(async () => {
    app = createTestApp();
    ({ tenantId, admin } = await createTenant(app, 'Catalog Brokerage'));
  });

  describe('partners', () => {
    const CREATE =
      'mutation($i: CreatePartnerInput!) { createPartner(input: $i) { id name kind userId companyId email version } }';

    it('lets backoffice register an external partner and lists it', async () => {
      const created = await app.exec<{ createPartner: { id: string } }>(
        principalFor(tenantId, 'backoffice'),
        CREATE,
        {
          i: { name: 'Leads s.r.o.', kind: 'EXTERNAL', companyId: '12345678', email: 'Info@Leads.test' },
        },
      );
      expect(created.errors).toBeUndefined();
      expect(created.data?.createPartner).toMatchObject({
        name: 'Leads s.r.o.',
        kind: 'EXTERNAL',
        userId: null,
        email: 'info@leads.test',
        version: 1,
      });
      const list = await app.exec<{ partners: { edges: Array<{ node: { id: string } }> } }>(
        admin,
        '{ partners { edges { node { id } } } }',
      );
      expect(list.data?.partners.edges.map((e) => e.node.id)).toContain(created.data?.createPartner.id);
    });

    it('requires the acting advisor of an internal partner, at input.userId', async () => {
      const result = await app.exec(admin, CREATE, { i: { name: 'Inside', kind: 'INTERNAL' } });
      expect(result.errors?.[0]?.extensions).toEqual({
        code: 'BAD_USER_INPUT',
        fieldErrors: [{ path: 'input.userId', message: 'is required for an internal partner' }],
      });
    });

    it.each(['advisor', 'partner'] as const)(
      'answers FORBIDDEN when a %s registers a partner',
      async (role) => {
        const result = await app.exec(principalFor(tenantId, role), CREATE, {
          i: { name: 'Sneaky', kind: 'EXTERNAL' },
        });
        expect(errorCode(result)).toBe('FORBIDDEN');
      },
    );

    it('updates a partner at the expected version and refuses a stale one', async () => {
      const created = await app.exec<{ createPartner: { id: string } }>(admin, CREATE, {
        i: { name: 'Versioned', kind: 'EXTERNAL' },
      });
      const id = created.data?.createPartner.id;
      const UPDATE = 'mutation($i: UpdatePartnerInput!) { updatePartner(input: $i) { name active version } }';
      const ok = await app.exec(admin, UPDATE, { i: { id, expectedVersion: 1, active: false } });
      expect(ok.data).toEqual({ updatePartner: { name: 'Versioned', active: false, version: 2 } });
      const stale = await app.exec(admin, UPDATE, { i: { id, expectedVersion: 1, name: 'Overwritten' } });
      expect(errorCode(stale)).toBe('CONFLICT');
    });
  });

  describe('lead sources', () => {
    const CREATE = 'mutation($i: CreateLeadSourceInput!) { createLeadSource(input: $i) { id name active } }';

    it('creates lead sources and refuses a duplicate name in another case', async () => {
      const first = await app.exec(admin, CREATE, { i: { name: 'Web form' } });
      expect(first.data).toMatchObject({ createLeadSource: { name: 'Web form', active: true } });
      const duplicate = await app.exec(admin, CREATE, { i: { name: 'WEB FORM' } });
      expect(errorCode(duplicate)).toBe('ALREADY_EXISTS');
      const list = await app.exec<{ leadSources: { edges: Array<{ node: { name: string } }> } }>(
        admin,
        '{ leadSources { edges { node { name } } } }',
      );
      expect(list.data?.leadSources.edges.map((e) => e.node.name)).toEqual(['Web form']);
    });

    it('answers FORBIDDEN when an advisor creates a lead source', async () => {
      const result = await app.exec(principalFor(tenantId, 'advisor'), CREATE, { i: { name: 'Fair' } });
      expect(errorCode(result)).toBe('FORBIDDEN');
    });
  });

  describe('insurers and their webhook secrets', () => {
    it('shows the webhook secret once, at creation, and never in any query', async () => {
      const created = await app.exec<{ createInsurer: InsurerWithSecret }>(admin, CREATE_INSURER, {
        i: { name: 'Kooperativa', companyId: '47116617' },
      });
      expect(created.errors).toBeUndefined();
      const shownOnce = created.data?.createInsurer;
      if (!shownOnce) throw new Error('createInsurer returned no data');
      const { insurer, webhookSecret, previousSecretValidUntil } = shownOnce;
      expect(webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(previousSecretValidUntil).toBeNull();
      expect(insurer.webhookPath).toBe(`/webhooks/insurers/${insurer.id}`);

      for (const principal of [admin, principalFor(tenantId, 'advisor')]) {
        const read = await app.exec(principal, EVERY_INSURER_READ, { id: insurer.id });
        expect(read.errors).toBeUndefined();
        expect(read.data).not.toBeNull();
        const json = JSON.stringify(read);
        expect(json).toContain(insurer.id);
        expect(json).not.toContain(webhookSecret);
        expect(json).not.toContain(webhookSecret.slice('whsec_'.length));
        expect(json).not.toContain('whsec_');
      }
    });

    it('rotates the secret, keeps the old one valid for 24 hours, and still returns neither from queries', async () => {
      const created = await app.exec<{ createInsurer: InsurerWithSecret }>(admin, CREATE_INSURER, {
        i: { name: 'Allianz' },
      });
      const first = created.data?.createInsurer as InsurerWithSecret;
      const before = Date.now();
      const rotated = await app.exec<{ rotateInsurerWebhookSecret: InsurerWithSecret }>(admin, ROTATE, {
        id: first.insurer.id,
      });
      expect(rotated.errors).toBeUndefined();
      const second = rotated.data?.rotateInsurerWebhookSecret as InsurerWithSecret;
      expect(second.webhookSecret).toMatch(/^whsec_/);
      expect(second.webhookSecret).not.toBe(first.webhookSecret);
      const validFor = Date.parse(second.previousSecretValidUntil ?? '') - before;
      expect(validFor).toBeGreaterThan(23.9 * 3_600_000);
      expect(validFor).toBeLessThanOrEqual(24 * 3_600_000 + 60_000);

      const active = await app.services.org.catalog.activeWebhookSecrets(first.insurer.id);
      expect(active).toEqual({ tenantId, secrets: [second.webhookSecret, first.webhookSecret] });

      const json = JSON.stringify(await app.exec(admin, EVERY_INSURER_READ, { id: first.insurer.id }));
      expect(json).not.toContain(first.webhookSecret);
      expect(json).not.toContain(second.webhookSecret);
    });

    it('answers FORBIDDEN when a manager registers an insurer or rotates a secret', async () => {
      const manager = principalFor(tenantId, 'manager');
      expect(errorCode(await app.exec(manager, CREATE_INSURER, { i: { name: 'Generali' } }))).toBe(
        'FORBIDDEN',
      );
      const created = await app.exec<{ createInsurer: InsurerWithSecret }>(admin, CREATE_INSURER, {
        i: { name: 'ČSOB Pojišťovna' },
      });
      const id = created.data?.createInsurer.insurer.id;
      expect(errorCode(await app.exec(manager, ROTATE, { id }))).toBe('FORBIDDEN');
    });

    it('refuses a second insurer of the same name', async () => {
      await app.exec(admin, CREATE_INSURER, { i: { name: 'Uniqa' } });
      expect(errorCode(await app.exec(admin, CREATE_INSURER, { i: { name: 'uniqa' } }))).toBe(
        'ALREADY_EXISTS',
      );
    });
  });

  describe('product lines', () => {
    const CREATE =
      'mutation($i: CreateProductLineInput!) { createProductLine(input: $i) { id code name active } }';

    it('stores the code upper-cased and refuses the same code twice', async () => {
      const created = await app.exec(admin, CREATE, {
        i: { code: 'mtpl', name: 'Motor third-party liability' },
      });
      expect(created.data).toMatchObject({
        createProductLine: { code: 'MTPL', name: 'Motor third-party liability' },
      });
      expect(errorCode(await app.exec(admin, CREATE, { i: { code: 'MTPL', name: 'Again' } }))).toBe(
        'ALREADY_EXISTS',
      );
    });

    it('answers BAD_USER_INPUT at input.code for a malformed code', async () => {
      const result = await app.exec(admin, CREATE, { i: { code: '1-bad code', name: 'Bad' } });
      expect(result.errors?.[0]?.extensions).toEqual({
        code: 'BAD_USER_INPUT',
        fieldErrors: [
          { path: 'input.code', message: 'must be 2–20 letters, digits or _ starting with a letter' },
        ],
      });
    });

    it('answers FORBIDDEN when an advisor or a partner configures a product line', async () => {
      for (const role of ['advisor', 'partner'] as const) {
        const result = await app.exec(principalFor(tenantId, role), CREATE, {
          i: { code: 'CASCO', name: 'Casco' },
        });
        expect(errorCode(result)).toBe('FORBIDDEN');
      }
    });

    it('lets an advisor read product lines but not a partner', async () => {
      const READ = '{ productLines { edges { node { code } } } }';
      const advisor = await app.exec<{ productLines: { edges: Array<{ node: { code: string } }> } }>(
        principalFor(tenantId, 'advisor'),
        READ,
      );
      expect(advisor.data?.productLines.edges.map((e) => e.node.code)).toContain('MTPL');
      expect(errorCode(await app.exec(principalFor(tenantId, 'partner'), READ))).toBe('FORBIDDEN');
    });
  });
});
