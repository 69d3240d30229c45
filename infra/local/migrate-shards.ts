/**
 * `npm run migrate:shards -- [--endpoint http://127.0.0.1:<port>] [--table <name>] [--tenant <id>]
 * --from <yyyy-mm> [--to <yyyy-mm>]`: moves items written before the hot index keys were sharded to
 * their shards (functions/shared/shard-migration.ts; docs/scale.md, section 7). Without `--tenant`
 * every registered tenant is migrated (the tenant registry is one Query). Without `--endpoint` the
 * SDK's own configuration is used (a deployed table: pass `--table`). Safe to rerun: it changes
 * nothing the second time.
 */
import { parseArgs } from 'node:util';
import { CLIENT_STATUSES } from '../../functions/modules/clients/index.js';
import { INVOICE_STATUSES } from '../../functions/modules/invoices/index.js';
import { POLICY_STATUSES } from '../../functions/modules/policies/index.js';
import { createDocumentClient, Db } from '../../functions/shared/db.js';
import { migrateToShards, monthsBetween, unshardedKeys } from '../../functions/shared/shard-migration.js';
import { keys } from '../../functions/shared/table-design.js';
import { LOCAL_AWS } from './dynamodb.js';

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    table: { type: 'string', default: 'broker-crm-local' },
    tenant: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string', default: new Date().toISOString().slice(0, 7) },
  },
});
if (!values.from || !/^\d{4}-\d{2}$/.test(values.from)) {
  process.stderr.write('--from <yyyy-mm> is required: the first month whose payments and lines to move\n');
  process.exit(2);
}
const client = values.endpoint
  ? createDocumentClient({ endpoint: values.endpoint, region: LOCAL_AWS.region, credentials: LOCAL_AWS })
  : createDocumentClient();
const db = new Db(client, values.table);
const tenants = values.tenant
  ? [values.tenant]
  : (await db.queryAll({ partition: keys.tenantRegistryPartition })).map((i) => String(i.sk));
const periods = monthsBetween(values.from, values.to);
for (const tenantId of tenants) {
  const oldKeys = unshardedKeys({
    tenantId,
    policyStatuses: POLICY_STATUSES,
    clientStatuses: CLIENT_STATUSES,
    invoiceStatuses: INVOICE_STATUSES,
    periods,
  });
  const result = await migrateToShards(db, oldKeys);
  process.stdout.write(`${tenantId}: ${result.moved} moved, ${result.alreadyMoved} already moved\n`);
}
