import middy from '@middy/core';
import type { TableChangeEvent } from '../shared/change-event.js';
import { LiveInbox } from '../shared/live-inbox.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

/**
 * The change bus's `live` subscriber: files each change of a live entity type into its recipient's
 * inbox, where that user's open streams poll it (docs/decisions/0007-live-updates.md). The item is
 * keyed by the change's sequence number, so the bus's retries and replays rewrite the same item.
 */
export function liveHandler(inbox: LiveInbox) {
  const file = async (event: TableChangeEvent) => ({ filed: await inbox.file(event.detail) });
  return middy(file).use(observability('live'));
}

const runtime = getRuntime();
export const handler = liveHandler(new LiveInbox(runtime.db, runtime.clock));
