import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { bookRepositories, composeBook } from '../modules/book-wiring.js';
import type { GdprModule } from '../modules/gdpr/index.js';
import { composeGdpr } from '../modules/gdpr-wiring.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

/**
 * The daily retention run: erases every tenant's potential and lost clients past its retention
 * settings. Built over a given GDPR module so a test can run it with its own clock.
 */
export function retentionHandler(gdpr: Pick<GdprModule, 'retention'>) {
  return middy(async (_event: ScheduledEvent) => {
    const result = await gdpr.retention.run();
    logger.info('retention run', { ...result });
    return result;
  }).use(observability('retention'));
}

const runtime = getRuntime();
const repositories = bookRepositories(runtime.db);
export const handler = retentionHandler(
  composeGdpr(
    runtime.db,
    runtime.clock,
    composeBook(repositories, repositories.org, runtime.clock).clients,
    repositories.org,
    // Erasure removes the person's exports and renders invoice PDFs again (reports bucket) and
    // scrubs the insurer deliveries that name them (archive bucket).
    runtime.env.REPORTS_BUCKET ? { store: runtime.objects, bucket: runtime.env.REPORTS_BUCKET } : null,
    {
      archive: runtime.env.ARCHIVE_BUCKET
        ? { store: runtime.objects, bucket: runtime.env.ARCHIVE_BUCKET }
        : null,
    },
  ),
);
