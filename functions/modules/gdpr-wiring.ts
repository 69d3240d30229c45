import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { type ClientsModule, sortNameOf, uniqueValuesOf } from './clients/index.js';
import { createGdprModule, type GdprModule, type SubjectFiles } from './gdpr/index.js';
import type { OrgRepository } from './org/index.js';

/**
 * The GDPR module over the clients module's scope check and record rules, the tenant list (for the
 * retention schedule) and the reports bucket (for exports; null where a process has none).
 */
export function composeGdpr(
  db: Db,
  clock: Clock,
  clients: ClientsModule,
  org: Pick<OrgRepository, 'listTenantIds' | 'getTenantSettings'>,
  files: SubjectFiles | null,
): GdprModule {
  return createGdprModule({
    db,
    clock,
    book: { requireClient: (p, id) => clients.book.requireClient(p, id), uniqueValuesOf, sortNameOf },
    files,
    tenants: { listTenantIds: () => org.listTenantIds() },
    documents: {
      tenant: (tenantId) => org.getTenantSettings(tenantId),
      // The reports module's enum words, loaded with the export's PDF code, never at a cold start.
      enumText: async (language, group, value) =>
        (await import('./reports/index.js')).documentEnumText(language, group, value),
    },
  });
}
