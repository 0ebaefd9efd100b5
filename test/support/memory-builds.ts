import { parseBuildRequest } from '../../src/builds/request.ts';
import type { BuildFilter, BuildService } from '../../src/builds/service.ts';
import type { BuildRecord, BuildRequest } from '../../src/builds/types.ts';
import type { BuildState } from '../../src/vocab/index.ts';

/**
 * A small in-memory BuildService for policy tests until the BullMQ one lands:
 * joins (forge, repo, sha, environment) while queued/running, dedupes delivery ids.
 */
export class MemoryBuilds implements BuildService {
  readonly records: BuildRecord[] = [];
  readonly cancelled: Array<{ filter: BuildFilter; reason: string }> = [];
  private readonly byDelivery = new Map<string, string>();
  /** The last createdAt: real time, as the BuildStore's (reports order builds and notices by it), never repeated. */
  private clock = 0;

  async request(input: BuildRequest): Promise<{ id: string; joined: boolean }> {
    const parsed = parseBuildRequest(input);
    if (!parsed.ok) throw new Error(`invalid build request: ${parsed.message}`);
    const request = parsed.request;
    const seen = request.deliveryId ? this.byDelivery.get(request.deliveryId) : undefined;
    if (seen) return { id: seen, joined: true };
    const live = this.records.find(
      (r) =>
        !request.rerun &&
        (r.status === 'queued' || r.status === 'running') &&
        r.request.repo === request.repo &&
        r.sha === (request.sha ?? null) &&
        r.request.environment === request.environment,
    );
    if (live) return { id: live.id, joined: true };
    const id = `b${this.records.length + 1}`;
    this.clock = Math.max(Date.now(), this.clock + 1);
    this.records.unshift({
      id,
      buildRef: this.records.length + 1,
      request,
      source: `${request.forge}:${request.repo}`,
      status: 'queued',
      reason: null,
      message: null,
      context: request.environment ? `berth/${request.environment}` : 'berth',
      createdAt: new Date(this.clock).toISOString(),
      startedAt: null,
      finishedAt: null,
      stages: [],
      sha: request.sha ?? null,
    });
    if (request.deliveryId) this.byDelivery.set(request.deliveryId, id);
    return { id, joined: false };
  }

  async cancel(filter: BuildFilter, reason: string): Promise<string[]> {
    this.cancelled.push({ filter, reason });
    const hits = this.match({ ...filter, status: ['queued', 'running'] });
    for (const r of hits) r.status = 'cancelled';
    return hits.map((r) => r.id);
  }

  async get(id: string): Promise<BuildRecord | null> {
    return this.records.find((r) => r.id === id) ?? null;
  }

  async list(filter: BuildFilter): Promise<BuildRecord[]> {
    return this.match(filter).slice(0, filter.limit ?? 100);
  }

  /** Sets a build's final state (what the worker would do). */
  finish(id: string, status: BuildState): void {
    const r = this.records.find((x) => x.id === id);
    if (r) r.status = status;
  }

  private match(f: BuildFilter): BuildRecord[] {
    return this.records.filter(
      (r) =>
        (!f.forge || r.request.forge === f.forge) &&
        (!f.repo || r.request.repo === f.repo) &&
        (!f.sha || r.sha === f.sha) &&
        (f.change === undefined || r.request.change === f.change) &&
        (!f.ref || r.request.ref === f.ref) &&
        (!f.status || f.status.includes(r.status)),
    );
  }
}
