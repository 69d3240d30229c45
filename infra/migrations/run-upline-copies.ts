import { createDocumentClient, Db } from '../../functions/shared/db.js';
import { migrateUplineCopies } from './upline-copies.js';

/**
 * `npm run migrate:uplines`: {@link migrateUplineCopies} on the table named by TABLE_NAME, with the
 * AWS SDK's own credentials and endpoint (AWS_ENDPOINT_URL_DYNAMODB for a local table).
 */
const tableName = process.env.TABLE_NAME;
if (!tableName) {
  process.stderr.write('Set TABLE_NAME to the table to migrate (the stack output TableName)\n');
  process.exit(2);
}
for (const r of await migrateUplineCopies(new Db(createDocumentClient(), tableName))) {
  process.stdout.write(`${r.tenantId}: ${r.users} users, ${r.written} written, ${r.conflicts} conflicts\n`);
}
