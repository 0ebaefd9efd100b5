import { duplicateClient, type RedisClient } from '../redis/connect.ts';
import { type RedisKeys, redisKeys } from '../redis-keys.ts';

/** A request to stop one build, wherever it runs. */
export interface CancelMessage {
  id: string;
  reason: string;
}

/**
 * Cross-process cancel: BullMQ aborts a job's signal only in the process that holds
 * it, so cancels are broadcast on a Redis channel and every worker checks its own jobs.
 */
export class CancelBus {
  readonly #redis: RedisClient;
  readonly #channel: string;

  constructor(options: { redis: RedisClient; keys?: RedisKeys }) {
    this.#redis = options.redis;
    this.#channel = (options.keys ?? redisKeys()).cancelChannel;
  }

  async publish(message: CancelMessage): Promise<void> {
    await this.#redis.publish(this.#channel, JSON.stringify(message));
  }

  /** Listens on a dedicated connection until the returned function is called. */
  async subscribe(onCancel: (message: CancelMessage) => void): Promise<() => Promise<void>> {
    const subscriber = duplicateClient(this.#redis, { connectionName: 'berth-cancel' });
    subscriber.on('message', (_channel: string, text: string) => {
      try {
        const parsed = JSON.parse(text) as CancelMessage;
        if (typeof parsed.id === 'string') onCancel({ id: parsed.id, reason: String(parsed.reason ?? '') });
      } catch {
        // Not ours: the channel only carries JSON cancel messages.
      }
    });
    subscriber.on('error', () => {});
    await subscriber.subscribe(this.#channel);
    return async () => {
      subscriber.disconnect();
    };
  }
}
