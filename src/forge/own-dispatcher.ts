import type { Logger } from 'pino';
import { duplicateClient, type RedisClient } from '../redis/connect.ts';
import type { RedisKeys } from '../redis-keys.ts';
import type { EventDispatcher } from './dispatcher.ts';
import { createDurableDispatcher } from './durable-dispatcher.ts';

/** A plug-in's event dispatcher and what the plug-in itself must do with it. */
export interface OwnedDispatcher {
  dispatcher: EventDispatcher;
  /** Starts handling when the dispatcher is the plug-in's own (a shared one is started by its owner). */
  start(): void;
  /** Closes the dispatcher (bounded) and, when the plug-in made it, its connection. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * The dispatcher a forge plug-in was given, or a durable one of its own on a
 * BullMQ connection duplicated from `redis` (retrying forever, as BullMQ wants).
 */
export function ownDispatcher(
  deps: { dispatcher?: EventDispatcher; redis: RedisClient; keys?: RedisKeys },
  logger: Logger,
): OwnedDispatcher {
  if (deps.dispatcher) {
    const given = deps.dispatcher;
    return { dispatcher: given, start: () => {}, close: (timeoutMs) => given.close(timeoutMs) };
  }
  const connection = duplicateClient(deps.redis, {
    connectionName: 'berth-events',
    maxRetriesPerRequest: null,
  });
  connection.on('error', (err) => logger.debug({ err }, 'redis connection error'));
  const durable = createDurableDispatcher({ connection, logger, ...(deps.keys ? { keys: deps.keys } : {}) });
  return {
    dispatcher: durable,
    start: () => durable.start(),
    close: async (timeoutMs) => {
      await durable.close(timeoutMs);
      connection.disconnect();
    },
  };
}
