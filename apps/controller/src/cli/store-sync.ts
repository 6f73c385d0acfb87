import { catchUp } from '../collector/catch-up.js';
import type { CommandContext } from './command-context.js';

/** How long `show`, `runs` and `report` spend catching up from the stream at most, in milliseconds. */
const SYNC_TIMEOUT_MS = 15_000;

/**
 * Catches the store up from the event stream when NATS is reachable; without NATS the store is used as it is
 * (with a note), so reports still work offline.
 */
export async function syncStore(ctx: CommandContext, enabled: boolean): Promise<void> {
  if (!enabled) return;
  const nc = await ctx.natsIfAvailable('showing what the store holds; --no-sync skips this step');
  if (!nc) return;
  const { caughtUp } = await catchUp(nc, ctx.store, ctx.config, {
    timeoutMs: SYNC_TIMEOUT_MS,
    signal: ctx.signal,
  });
  if (!caughtUp) ctx.output.note('warning: the event stream still had unread events; results may be behind');
}
