import { createHash } from 'node:crypto';
import type { RedisClient } from '../../redis/connect.ts';
import { LINE_SHOWN, SLOTS_SCRIPT } from './script.ts';

export { LINE_SHOWN };

const SLOTS_SHA = createHash('sha1').update(SLOTS_SCRIPT).digest('hex');

/** Which cap a waiting build waits on. */
export type WaitCap = 'group' | 'repository' | 'owner';

/** Fair-share caps: running builds per repository and per owner (BERTH_REPO/OWNER_CONCURRENCY). */
export interface SlotCaps {
  repo: number;
  owner: number;
}

/** What a build asks for: its place in line, its group (if any), its repository and owner. */
export interface SlotRequest {
  id: string;
  /** Request order: lower goes first. */
  seq: number;
  /** Repository-scoped group key, or '' for none. */
  group: string;
  /** The group's name as the pipeline says it (`deploy-main`). */
  groupName: string;
  limit: number;
  cancelInProgress: boolean;
  /** `forge:owner/name`. */
  repo: string;
  /** `forge:owner`. */
  owner: string;
}

/** The answer of acquire/arrive/peek. */
export interface SlotState {
  /**
   * `holding` its slots; `waiting` in line (planned); before it is in line: `gated` (parked
   * before reading its pipeline: its repository or owner is full) or `free` to plan;
   * `unknown` (peek) when it holds and waits for nothing.
   */
  state: 'holding' | 'waiting' | 'gated' | 'free' | 'unknown';
  /** When waiting or gated: the cap it waits on and how many wait before it there. */
  cap: WaitCap | null;
  ahead: number;
  /** acquire: how many of its group's first LINE_SHOWN waiters are behind it (it joined before them). */
  moved: number;
  /** Other builds that got their slots in this call: wake their jobs. */
  granted: string[];
  /** Cancel-in-progress: builds of the group requested before this one. */
  older: string[];
}

/** Redis slot accounting (one Lua script, keys under one hash tag). Stateless: any process may call it. */
export class Slots {
  readonly #redis: RedisClient;
  readonly #base: string;
  readonly #caps: SlotCaps;

  constructor(o: { redis: RedisClient; base: string; caps: SlotCaps }) {
    this.#redis = o.redis;
    this.#base = o.base;
    this.#caps = o.caps;
  }

  get caps(): SlotCaps {
    return this.#caps;
  }

  /** A new build's place in line (request order); it blocks later builds of its repository's groups until it joins. */
  async enqueue(id: string, repo: string): Promise<number> {
    return Number(await this.#eval('enqueue', id, repo));
  }

  /** Joins the line (or finds its place again) and takes the slots when they are free. */
  async acquire(r: SlotRequest): Promise<SlotState> {
    const args = ['acquire', r.id, r.seq, r.group, r.groupName, r.limit, r.cancelInProgress ? '1' : '0'];
    const reply = await this.#eval(...args, r.repo, this.#caps.repo, r.owner, this.#caps.owner);
    return stateOf(reply);
  }

  /**
   * Where a build taken from the queue stands, in one call. Already in line: its state now
   * (scheduling first), `holding` or `waiting`. Not yet (its pipeline is still to be read):
   * `free` when its repository and owner have room, else `gated`: it is parked and woken
   * when a slot there frees.
   */
  async arrive(id: string, seq: number, repo: string, owner: string): Promise<SlotState> {
    return stateOf(await this.#eval('arrive', id, seq, repo, owner, this.#caps.repo, this.#caps.owner));
  }

  /** A build's state, changing nothing (GET /api/queue). */
  async peek(id: string): Promise<SlotState> {
    return stateOf(await this.#eval('peek', id));
  }

  /**
   * Frees the build's slots or place in line; returns the builds that got slots, the group it
   * left and that group's first LINE_SHOWN waiters now.
   */
  async release(
    id: string,
  ): Promise<{ granted: string[]; group: string; groupName: string; line: string[] }> {
    const reply = ((await this.#eval('release', id)) as string[]).map(String);
    const bar = reply.lastIndexOf('|');
    return {
      granted: reply.slice(0, bar),
      group: reply[bar + 1] ?? '',
      groupName: reply[bar + 2] ?? '',
      line: reply.slice(bar + 3),
    };
  }

  /** The first `count` waiters of a group's line, in order. */
  async line(group: string, count = LINE_SHOWN): Promise<string[]> {
    if (group === '') return [];
    return this.#redis.zrange(`${this.#base}:gw:${group}`, '0', String(count - 1));
  }

  /** Every build holding or waiting, with its fields (for GET /api/queue and the sweeper). */
  async entries(): Promise<SlotEntry[]> {
    const [held, waiting] = await Promise.all([
      this.#redis.smembers(`${this.#base}:held`),
      this.#redis.zrange(`${this.#base}:w`, '0', '-1'),
    ]);
    const ids = [...held, ...waiting];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hgetall(`${this.#base}:b:${id}`);
    const rows = (await pipeline.exec()) ?? [];
    return ids.flatMap((id, i) => {
      const h = rows[i]?.[1] as Record<string, string> | undefined;
      if (!h?.repo) return [];
      return [
        {
          id,
          seq: Number(h.seq),
          group: h.name ?? '',
          limit: Number(h.limit),
          repo: h.repo,
          owner: h.owner ?? '',
          state: h.state === 'holding' ? ('holding' as const) : ('waiting' as const),
        },
      ];
    });
  }

  /** Runs the script by its SHA1; sends it whole only when Redis does not have it (first use, restart, failover). */
  async #eval(...args: Array<string | number>): Promise<unknown> {
    const argv = [this.#base, ...args.map(String)];
    try {
      return await this.#redis.evalsha(SLOTS_SHA, 1, ...argv);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
      return this.#redis.eval(SLOTS_SCRIPT, 1, ...argv);
    }
  }
}

/** One build in the slot accounting. */
export interface SlotEntry {
  id: string;
  seq: number;
  group: string;
  limit: number;
  repo: string;
  owner: string;
  state: 'holding' | 'waiting';
}

function stateOf(reply: unknown): SlotState {
  const parts = (reply as Array<string | number>).map(String);
  const [state = 'unknown', cap = '', ahead = '0', moved = '0', ...rest] = parts;
  const bar = rest.indexOf('|');
  return {
    state: state as SlotState['state'],
    cap: cap === '' ? null : (cap as WaitCap),
    ahead: Number(ahead),
    moved: Number(moved),
    granted: rest.slice(0, bar < 0 ? rest.length : bar),
    older: bar < 0 ? [] : rest.slice(bar + 1),
  };
}
