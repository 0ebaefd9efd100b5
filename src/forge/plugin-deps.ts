import type { Logger } from 'pino';
import type { BuildService } from '../builds/service.ts';
import type { RedisClient } from '../redis/connect.ts';
import type { RedisKeys } from '../redis-keys.ts';
import type { HttpHandler } from '../web/types.ts';
import type { EventDispatcher } from './dispatcher.ts';
import type { TailFn } from './reporter.ts';
import type { ForgeAdapter } from './types.ts';
import type { BodyBudget } from './webhook-body.ts';

/** What every forge plug-in is built from (src/app/plugins.ts hands the same to each). */
export interface ForgePluginDeps {
  /** Where the policy queues, cancels and looks up builds. */
  builds: BuildService;
  /** Commands connection (policy stores, report state). */
  redis: RedisClient;
  /** Names of the keys and queues on `redis` (default: under `berth`). */
  keys?: RedisKeys;
  logger: Logger;
  /** The last lines of a step's log (the log store's tail), for summaries. */
  tail: TailFn;
  /** `BERTH_PUBLIC_URL`: links in statuses, checks and comments. */
  publicUrl: string | null;
  /** Bytes of webhook bodies the process holds at once, shared by every forge's ingress. */
  bodies: BodyBudget;
  /**
   * Where accepted deliveries go (the app's durable one, shared with the other forges;
   * the plug-in registers its handler, the caller starts it). By default one of its own
   * on the `events-<forge>` queue of `keys` over `redis`, started and closed by the plug-in.
   */
  dispatcher?: EventDispatcher;
}

/** What a forge plug-in gives the composition root: its webhook endpoint and the worker's adapter. */
export interface ForgePluginParts {
  handlers: HttpHandler[];
  adapter: ForgeAdapter;
  /** The variables that turn the forge on (for the start-up log line). */
  enabledBy: string;
  /** Waits (bounded) until the deliveries accepted so far have been handled. */
  drain(timeoutMs: number): Promise<void>;
  /** Stops handling deliveries, waiting (bounded) for those running; the rest stay queued. */
  close(timeoutMs: number): Promise<void>;
}
