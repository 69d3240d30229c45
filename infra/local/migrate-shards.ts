/**
 * `npm run migrate:shards -- [--endpoint http://127.0.0.1:<port>] [--table <name>] [--tenant <id>]
 * --from <yyyy-mm> [--to <yyyy-mm>]`: moves items written before the hot index keys were sharded to
 * their shards (functions/shared/shard-migration.ts; docs/scale.md, section 7). Without `--tenant`
 * every registered tenant is migrated (the tenant registry is one Query). Without `--endpoint` the
 * SDK's own configuration is used (a deployed table: pass `--table`). Safe to rerun: it changes
 * nothing the second time.
 */
import { parseArgs } from 'node:util';
import { createDocumentClient, Db } from '../../functions/shared/db.js';
import { migrateShardKeys } from '../migrations/shard-keys.js';
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
const results = await migrateShardKeys(new Db(client, values.table), {
  tenantId: values.tenant,
  from: values.from,
  to: values.to,
});
for (const [tenantId, result] of results) {
  process.stdout.write(`${tenantId}: ${result.moved} moved, ${result.alreadyMoved} already moved\n`);
  for (const c of result.conflicts)
    process.stdout.write(
      `${tenantId}: ${c.field} "${c.value}" is claimed by ${c.oldOwner} (before the upgrade) and by ${c.newOwner} (since): settle it by hand\n`,
    );
}
if ([...results.values()].some((r) => r.conflicts.length > 0)) process.exitCode = 1;
