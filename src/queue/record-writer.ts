import type { Logger } from 'pino';
import type { BuildStore, UpdateResult } from '../builds/store.ts';
import type { BuildRecord } from '../builds/types.ts';
import type { BuildReporter } from '../forge/types.ts';
import type { BuildMeter } from './build-meter.ts';

/**
 * Writes one build's record for the worker that owns it: changes in order, each one
 * fenced by the worker's token (a build taken over elsewhere is never overwritten),
 * and reports the newest record to the forge (coalesced; reporting never fails a build).
 * Every final state a worker writes passes here, so this is where builds and steps are metered.
 */
export class RecordWriter {
  readonly #store: BuildStore;
  readonly #id: string;
  readonly #owner: string;
  readonly #reporter: BuildReporter | null;
  readonly #log: Logger;
  readonly #onLost: () => void;
  readonly #meter: BuildMeter | null;
  #writes: Promise<unknown> = Promise.resolve();
  #pending: { record: BuildRecord; rev: number } | null = null;
  #reports: Promise<void> = Promise.resolve();
  #lost = false;

  constructor(options: {
    store: BuildStore;
    id: string;
    owner: string;
    reporter: BuildReporter | null;
    log: Logger;
    /** Called once when the record was taken over or vanished: the build must stop. */
    onLost: () => void;
    /** Counts the steps and the build that each written record shows final. */
    meter?: BuildMeter;
  }) {
    this.#store = options.store;
    this.#id = options.id;
    this.#owner = options.owner;
    this.#reporter = options.reporter;
    this.#log = options.log;
    this.#onLost = options.onLost;
    this.#meter = options.meter ?? null;
  }

  /** True once another worker owns the build or its record is gone. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Queues a change; failures are logged, later changes still apply. */
  change(apply: (record: BuildRecord) => BuildRecord): void {
    this.#writes = this.#writes.then(() => this.#apply(apply)).catch(() => {});
  }

  /** Applies a change after the queued ones and resolves with its result. */
  write(apply: (record: BuildRecord) => BuildRecord): Promise<UpdateResult | null> {
    const result = this.#writes.then(() => this.#apply(apply));
    this.#writes = result.catch(() => {});
    return result;
  }

  /** Sends a record (at revision `rev`) to the forge, unless it is no longer the current one by then. */
  report(record: BuildRecord, rev: number): void {
    if (!this.#reporter) return;
    const idle = this.#pending === null;
    this.#pending = { record, rev };
    if (idle) this.#reports = this.#reports.then(() => this.#drain());
  }

  /** Resolves once every queued write and report is done. */
  async settled(): Promise<void> {
    await this.#writes;
    await this.#reports;
  }

  async #apply(apply: (record: BuildRecord) => BuildRecord): Promise<UpdateResult | null> {
    if (this.#lost) return null;
    try {
      const result = await this.#store.update(this.#id, apply, { owner: this.#owner });
      if (result.ok) {
        this.#meter?.observe(result.record);
        this.report(result.record, result.rev);
      } else if (result.why !== 'illegal') this.#markLost(result.why);
      return result;
    } catch (err) {
      this.#log.warn({ err, id: this.#id }, 'build record update failed');
      throw err;
    }
  }

  #markLost(why: string): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#log.warn({ id: this.#id, why }, 'build record no longer ours; stopping the build');
    this.#onLost();
  }

  async #drain(): Promise<void> {
    while (this.#pending && this.#reporter) {
      const { record, rev } = this.#pending;
      this.#pending = null;
      try {
        // A record another writer has replaced since is stale: never report it.
        if ((await this.#store.read(this.#id))?.rev !== rev) continue;
        await this.#reporter.report(record);
      } catch (err) {
        this.#log.warn({ err, id: record.id }, 'reporting build status failed');
      }
    }
  }
}
