import type { BuildStore } from '../../builds/store.ts';
import type { BuildRecord } from '../../builds/types.ts';
import { waitingRecord } from '../admission.ts';
import type { Slots } from './slots.ts';

/** Slot accounting as one process uses it: release wakes who got slots and moves the line's `N ahead`. */
export class SlotKeeper {
  readonly slots: Slots;
  readonly #store: BuildStore;
  readonly #wake: (ids: string[]) => Promise<void>;
  readonly #report: ((record: BuildRecord) => Promise<void>) | undefined;

  constructor(o: {
    slots: Slots;
    store: BuildStore;
    wake: (ids: string[]) => Promise<void>;
    /** Sends a waiting build's new message to its forge (workers have the adapters; the web role does not). */
    report?: (record: BuildRecord) => Promise<void>;
  }) {
    this.slots = o.slots;
    this.#store = o.store;
    this.#wake = o.wake;
    this.#report = o.report;
  }

  wake(ids: string[]): Promise<void> {
    return ids.length === 0 ? Promise.resolve() : this.#wake(ids);
  }

  /** Frees a build's slots or place; wakes the builds that got slots; rewrites the line's positions. */
  async release(id: string): Promise<void> {
    const { granted, line, groupName } = await this.slots.release(id);
    await this.wake(granted);
    await this.#rewrite(line, groupName);
  }

  /** Rewrites `waiting for GROUP (N ahead)` of the first waiters of a group whose position moved. */
  async refresh(group: string, groupName: string): Promise<void> {
    await this.#rewrite(await this.slots.line(group), groupName);
  }

  /** `line`: a group's first waiters, in order. */
  async #rewrite(line: string[], groupName: string): Promise<void> {
    await Promise.all(
      line.map(async (id, ahead) => {
        let moved = false;
        const result = await this.#store.update(id, (r) => {
          moved = r.waiting?.cap === 'group' && r.waiting.ahead !== ahead;
          return moved ? waitingRecord(r, { cap: 'group', ahead }, groupName) : r;
        });
        if (moved && result.ok) await this.#report?.(result.record);
      }),
    );
  }
}
