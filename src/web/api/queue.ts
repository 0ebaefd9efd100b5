import type { SlotCaps, SlotEntry } from '../../queue/slots/slots.ts';
import type { WebAccess } from '../access/access.ts';
import { sendJson, urlOf } from '../respond.ts';
import type { HttpHandler } from '../types.ts';

/** What `GET /api/queue` reads: the slot accounting's entries and caps, and why each waiter waits. */
export interface QueueView {
  entries(): Promise<SlotEntry[]>;
  readonly caps: SlotCaps;
  /** The cap a waiting build waits on and how many are ahead (null when it no longer waits). */
  waitOf(id: string): Promise<{ cap: string | null; ahead: number } | null>;
}

/** `GET /api/queue` (admin only): groups with holders and waiters, and the cap each waiter waits on. */
export function createQueueApi(o: { view: QueueView; access: WebAccess }): HttpHandler {
  return async (req, res) => {
    if (urlOf(req).pathname !== '/api/queue' || req.method !== 'GET') return false;
    const viewer = await o.access.viewer(req);
    if (viewer.kind !== 'admin') {
      sendJson(res, 403, { error: 'the queue is shown to the admin only (send the admin bearer token)' });
      return true;
    }
    const entries = (await o.view.entries()).sort((a, b) => a.seq - b.seq);
    const groups = new Map<
      string,
      { repo: string; group: string; limit: number; holders: string[]; waiters: string[] }
    >();
    const waiters = [];
    for (const e of entries) {
      if (e.group !== '') {
        const key = `${e.repo}#${e.group}`;
        const g = groups.get(key) ?? {
          repo: e.repo,
          group: e.group,
          limit: e.limit,
          holders: [],
          waiters: [],
        };
        (e.state === 'holding' ? g.holders : g.waiters).push(e.id);
        groups.set(key, g);
      }
      if (e.state === 'waiting') {
        const wait = await o.view.waitOf(e.id);
        waiters.push({
          id: e.id,
          repo: e.repo,
          owner: e.owner,
          group: e.group || null,
          waitsOn: wait?.cap ?? null,
          ahead: wait?.ahead ?? 0,
        });
      }
    }
    sendJson(res, 200, {
      caps: o.view.caps,
      groups: [...groups.values()],
      holders: entries
        .filter((e) => e.state === 'holding')
        .map((e) => ({ id: e.id, repo: e.repo, owner: e.owner, group: e.group || null })),
      waiters,
    });
    return true;
  };
}
