import {
  type Client,
  type Contact,
  sortNameOf,
  uniqueValuesOf,
} from '../../../functions/modules/clients/index.js';
import type { User } from '../../../functions/modules/org/org.model.js';
import type { Policy } from '../../../functions/modules/policies/policies.model.js';
import {
  POLICY_NUMBER_FIELD,
  policyNumberClaim,
} from '../../../functions/modules/policies/policies.repository.js';
import type { Services } from '../../../functions/modules/services.js';
import { type Principal, systemPrincipal } from '../../../functions/shared/auth/principal.js';
import { addDays, addMonths } from '../../../functions/shared/dates.js';
import type { Db, StoredItem, TransactOp } from '../../../functions/shared/db.js';
import { newId } from '../../../functions/shared/ids.js';
import { fromItem, toItem } from '../../../functions/shared/items.js';
import { EntityType, keys } from '../../../functions/shared/table-design.js';
import { principalOf } from '../../../infra/local/seed.js';

/** How big a book to seed; the realistic book is 20 advisors, 5,000 clients, 20,000 policies. */
export interface BookScale {
  /** Advisors per level of the sales hierarchy, top first (sum = advisors). */
  levels: number[];
  clients: number;
  policiesPerClient: number;
}

export const FULL_BOOK: BookScale = { levels: [2, 6, 12], clients: 5000, policiesPerClient: 4 };

export interface SeededBook {
  tenantId: string;
  admin: Principal;
  /** Every advisor, top of the hierarchy first. */
  advisors: User[];
  /** The advisor the GraphQL paths are measured as: a leaf, three levels below the manager. */
  measured: { principal: Principal; user: User; clientIds: string[] };
  insurerIds: string[];
  /** Each insurer's webhook signing secret, as shown once at creation. */
  insurerSecrets: Record<string, string>;
  /** The written date of every seeded policy (today). */
  writtenDate: string;
  productLineIds: Record<string, string>;
  counts: { advisors: number; clients: number; policies: number; items: number };
  seconds: { templates: number; batchWrites: number };
}

const PRODUCTS = [
  { code: 'MTPL', name: 'Motor third-party liability', object: 'VEHICLE' },
  { code: 'CASCO', name: 'Motor casco', object: 'VEHICLE' },
  { code: 'PROPERTY', name: 'Property', object: 'PROPERTY' },
  { code: 'LIFE', name: 'Life', object: 'PERSON' },
] as const;

const FIRST = ['Jana', 'Petr', 'Eva', 'Tomáš', 'Lucie', 'Martin', 'Kateřina', 'Jakub', 'Tereza', 'David'];
const LAST = ['Novák', 'Svoboda', 'Dvořák', 'Černý', 'Procházka', 'Kučera', 'Veselý', 'Horák', 'Němec'];

function objectFor(kind: (typeof PRODUCTS)[number]['object'], n: number) {
  if (kind === 'VEHICLE')
    return {
      kind,
      attributes: { registrationPlate: `1B${n % 10}${String(n).padStart(4, '0')}`, vin: `TMBJJ7NE8J${n}` },
    };
  if (kind === 'PROPERTY') return { kind, attributes: { address: `Masarykova ${n}, Brno` } };
  return { kind, attributes: { name: 'Insured person', birthDate: '1980-05-17' } };
}

/**
 * Seeds a realistic book fast. The org (tenant, region, two branches, insurers, product lines and
 * 20 advisors in a three-level hierarchy under a manager) and one template client per advisor with
 * a contact and its policies go through the real services, so every kind of item is written by
 * the product itself. The rest of the book is cloned from those templates: each clone is rebuilt
 * as a domain record (new ids, names, unique values, policy numbers) and turned back into items
 * by the repositories' own item builders (`clientItem`, `policyItem`, `claimOp`), then written
 * with concurrent BatchWriteItem calls. The items are therefore shaped exactly as the repositories
 * write them, keys and index attributes included. Clones get no timeline history (only the
 * templates have one): no measured path reads timelines, and it would add a third to the seed.
 */
export async function seedBook(
  services: Services,
  db: Db,
  scale: BookScale,
  today: string,
  log: (line: string) => void,
): Promise<SeededBook> {
  const started = performance.now();
  const tenantId = 'bench-brokerage';
  const sys = systemPrincipal(tenantId, 'bench-seed');
  const org = services.org;
  await org.tenant.provisionTenant(tenantId, {
    name: 'Bench Brokerage',
    baseCurrency: 'EUR',
    locale: 'cs-CZ',
    timeZone: 'Europe/Prague',
  });
  const region = await org.structure.createRegion(sys, { name: 'Moravia' });
  const branches = [
    await org.structure.createBranch(sys, { name: 'Brno', kind: 'OWN', regionId: region.id }),
    await org.structure.createBranch(sys, { name: 'Olomouc', kind: 'FRANCHISE', regionId: region.id }),
  ];
  const productLineIds: Record<string, string> = {};
  for (const p of PRODUCTS) productLineIds[p.code] = (await org.catalog.createProductLine(sys, p)).id;
  const insurerIds: string[] = [];
  const insurerSecrets: Record<string, string> = {};
  for (const name of ['Kooperativa', 'Allianz', 'Generali', 'UNIQA']) {
    const created = await org.catalog.createInsurer(sys, { name });
    insurerIds.push(created.insurer.id);
    insurerSecrets[created.insurer.id] = created.webhookSecret;
  }
  const adminUser = await org.structure.createUser(sys, {
    name: 'Alena Adminová',
    email: 'admin@bench.example',
    role: 'admin',
    scope: 'all',
  });
  const manager = await org.structure.createUser(sys, {
    name: 'Marek Manažer',
    email: 'manager@bench.example',
    role: 'manager',
    scope: 'region',
    branchId: branches[0]?.id,
  });

  // Level 1 reports to the manager; each later level is spread over the level above it.
  const advisors: User[] = [];
  let above: User[] = [manager];
  for (const [level, count] of scale.levels.entries()) {
    const created: User[] = [];
    for (let i = 0; i < count; i++) {
      const boss = above[i % above.length] as User;
      created.push(
        await org.structure.createUser(sys, {
          name: `Advisor L${level + 1}-${i + 1}`,
          email: `advisor-${level + 1}-${i + 1}@bench.example`,
          role: 'advisor',
          scope: 'own',
          branchId: boss.branchId ?? branches[i % branches.length]?.id,
          managerId: boss.id,
        }),
      );
    }
    advisors.push(...created);
    above = created;
  }

  // One template client per advisor, written by the services exactly as GraphQL would.
  const templates: StoredItem[][] = [];
  for (const [a, advisor] of advisors.entries()) {
    const as = principalOf(tenantId, advisor, region.id);
    const client = await services.clients.records.createClient(as, {
      kind: 'PERSON',
      firstName: 'Template',
      lastName: `Client ${a}`,
      birthDate: '1984-03-02',
      nationalId: `TPL${String(a).padStart(6, '0')}`,
      email: `template-${a}@clients.example`,
      phone: '+420602111222',
      segment: 'INDIVIDUAL',
      acquisitionType: 'ADVISOR',
      consents: [{ channel: 'SMS', granted: true, how: 'signed form' }],
    });
    await services.clients.records.addContact(as, {
      clientId: client.id,
      name: 'Partner of the client',
      role: 'spouse',
    });
    for (let j = 0; j < scale.policiesPerClient; j++) {
      const product = PRODUCTS[j % PRODUCTS.length] as (typeof PRODUCTS)[number];
      await services.policies.writing.writePolicy(as, {
        clientId: client.id,
        insurerId: insurerIds[(a + j) % insurerIds.length],
        productLineId: productLineIds[product.code],
        policyNumber: `TPL-${a}-${j}`,
        insuredObjects: [objectFor(product.object, a * 10 + j)],
        premium: { amount: `${(1200 + 137 * j + 11 * a).toFixed(2)}`, currency: 'EUR' },
        frequency: j % 2 === 0 ? 'QUARTERLY' : 'ANNUAL',
        writtenDate: today,
        termStart: today,
        termEnd: addDays(addMonths(today, 12), -1),
      });
    }
    templates.push(await db.queryAll({ partition: keys.clientCollection(tenantId, client.id) }));
  }
  const templateSeconds = (performance.now() - started) / 1000;

  // Clone the templates into the rest of the book.
  const clientIds = new Map<string, string[]>(
    advisors.map((a, i) => [a.id, [templateClientId(templates[i])]]),
  );
  const items: StoredItem[] = [];
  const repos = services.repositories;
  for (let n = advisors.length; n < scale.clients; n++) {
    const a = n % advisors.length;
    const template = templates[a] as StoredItem[];
    const clientId = newId();
    clientIds.get(advisors[a]?.id ?? '')?.push(clientId);
    const policyIds = new Map<string, string>();
    for (const item of template) {
      if (item.type === EntityType.Client) {
        const first = FIRST[n % FIRST.length] as string;
        const last = LAST[Math.floor(n / FIRST.length) % LAST.length] as string;
        const name = `${last} ${first}`;
        const client: Client = {
          ...fromItem<Client>(item),
          id: clientId,
          name,
          firstName: first,
          lastName: last,
          sortName: sortNameOf(name),
          nationalId: `BK${String(n).padStart(8, '0')}`,
          email: `client-${n}@clients.example`,
        };
        items.push(repos.clients.clientItem(tenantId, client));
        for (const u of uniqueValuesOf(client))
          items.push(itemOf(repos.clients.claimOp(tenantId, clientId, u)));
      } else if (item.type === EntityType.Contact) {
        const contact: Contact = { ...fromItem<Contact>(item), id: newId(), clientId };
        // The repository's addContact writes exactly this item (it has no separate item builder).
        items.push(
          toItem(keys.contact(tenantId, clientId, contact.id), EntityType.Contact, tenantId, contact),
        );
      } else if (item.type === EntityType.Policy) {
        const tpl = fromItem<Policy>(item);
        const policy: Policy = {
          ...tpl,
          id: newId(),
          clientId,
          holderName: `${LAST[Math.floor(n / FIRST.length) % LAST.length]} ${FIRST[n % FIRST.length]}`,
          policyNumber: `BK-${n}-${policyIds.size}`,
        };
        policyIds.set(tpl.id, policy.id);
        items.push(repos.policies.policyItem(tenantId, policy));
        items.push(
          itemOf(
            repos.policies.claimOp(
              tenantId,
              POLICY_NUMBER_FIELD,
              policyNumberClaim(policy.insurerId, policy.policyNumber),
              policy.id,
              'policyNumber',
            ),
          ),
        );
      }
    }
  }
  const writeStart = performance.now();
  await writeConcurrently(db, items, 6, log);
  const batchSeconds = (performance.now() - writeStart) / 1000;

  const measuredUser = advisors[advisors.length - 1] as User;
  const policies = scale.clients * scale.policiesPerClient;
  return {
    tenantId,
    admin: principalOf(tenantId, adminUser, region.id),
    advisors,
    measured: {
      principal: principalOf(tenantId, measuredUser, region.id),
      user: measuredUser,
      clientIds: clientIds.get(measuredUser.id) ?? [],
    },
    insurerIds,
    insurerSecrets,
    writtenDate: today,
    productLineIds,
    counts: {
      advisors: advisors.length,
      clients: scale.clients,
      policies,
      items: items.length + templates.reduce((sum, t) => sum + t.length, 0),
    },
    seconds: { templates: Number(templateSeconds.toFixed(1)), batchWrites: Number(batchSeconds.toFixed(1)) },
  };
}

function templateClientId(template: StoredItem[] | undefined): string {
  const client = template?.find((i) => i.type === EntityType.Client);
  if (!client) throw new Error('template client missing');
  return fromItem<Client>(client).id;
}

/** The item a repository's transaction op puts. */
function itemOf(op: TransactOp): StoredItem {
  const item = op.item.Put?.Item;
  if (!item) throw new Error('expected a Put op');
  return item as StoredItem;
}

/** BatchWriteItem in chunks of 25 from `workers` concurrent writers (Db retries unprocessed items). */
async function writeConcurrently(
  db: Db,
  items: StoredItem[],
  workers: number,
  log: (line: string) => void,
): Promise<void> {
  const chunk = 25 * 8;
  let next = 0;
  let written = 0;
  let reported = 0;
  const worker = async () => {
    while (next < items.length) {
      const slice = items.slice(next, next + chunk);
      next += chunk;
      await db.batchWrite(slice);
      written += slice.length;
      if (written - reported >= 20_000) {
        reported = written;
        log(`  seed: ${written}/${items.length} items written`);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}
