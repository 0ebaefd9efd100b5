// An in-memory stand-in for the queue's side of the web (build records, the JSON API and
// the SSE log stream) so page tests and screenshots run without Redis. Our own API shape.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BuildFilter, BuildService } from '../../src/builds/service.ts';
import type { BuildRecord, BuildRequest } from '../../src/builds/types.ts';
import type { LogEntry } from '../../src/logs/types.ts';
import type { HttpHandler } from '../../src/web/types.ts';

/** Build records and logs in memory, with the knobs a test turns. */
export interface FixtureBuilds extends BuildService {
  put(record: BuildRecord): void;
  update(id: string, change: (record: BuildRecord) => void): void;
  log(id: string, entry: Omit<LogEntry, 'time'>): void;
  logsOf(id: string): LogEntry[];
  cancelled: string[];
}

/** A fresh in-memory build store. */
export function createFixtureBuilds(): FixtureBuilds {
  const records = new Map<string, BuildRecord>();
  const logs = new Map<string, LogEntry[]>();
  const cancelled: string[] = [];
  let next = 1000;
  const matches = (r: BuildRecord, f: BuildFilter) =>
    (f.id === undefined || r.id === f.id) &&
    (f.repo === undefined || r.request.repo === f.repo) &&
    (f.status === undefined || f.status.includes(r.status));
  return {
    cancelled,
    put: (record) => void records.set(record.id, structuredClone(record)),
    update(id, change) {
      const r = records.get(id);
      if (r) change(r);
    },
    log(id, entry) {
      const list = logs.get(id) ?? [];
      list.push({ ...entry, time: Date.now() });
      logs.set(id, list);
    },
    logsOf: (id) => logs.get(id) ?? [],
    async request(request: BuildRequest) {
      const id = `b${next++}`;
      records.set(id, makeRecord({ id, request, status: 'queued' }));
      return { id, joined: false };
    },
    async cancel(filter) {
      const ids = [...records.values()].filter((r) => matches(r, filter)).map((r) => r.id);
      for (const id of ids) {
        const r = records.get(id)!;
        r.status = 'cancelled';
        r.finishedAt = new Date().toISOString();
        cancelled.push(id);
      }
      return ids;
    },
    get: async (id) => structuredClone(records.get(id) ?? null),
    async list(filter) {
      const all = [...records.values()].filter((r) => matches(r, filter));
      all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return structuredClone(all.slice(0, filter.limit ?? 50));
    },
  };
}

/** A record with sensible defaults. */
export function makeRecord(over: Partial<BuildRecord> & { id: string }): BuildRecord {
  const request: BuildRequest = {
    forge: 'github',
    repo: 'acme/widgets',
    ref: 'main',
    refType: 'branch',
    trigger: 'push',
    inputs: {},
    rerun: false,
    sha: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
    ...over.request,
  };
  return {
    buildRef: 1,
    source: `${request.forge}:${request.repo}`,
    status: 'queued',
    reason: null,
    message: null,
    context: 'berth',
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    stages: [],
    sha: request.sha ?? null,
    ...over,
    request,
  };
}

/** `GET /api/builds`, `GET /api/builds/:id`, `GET /api/builds/:id/logs` (text or SSE). */
export function createFixtureApi(builds: FixtureBuilds, options: { batched?: boolean } = {}): HttpHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'GET' || !url.pathname.startsWith('/api/builds')) return false;
    if (url.pathname === '/api/builds') {
      const repo = url.searchParams.get('repo');
      const status = url.searchParams.get('status');
      const filter: BuildFilter = {};
      if (repo) filter.repo = repo;
      if (status) filter.status = [status as BuildRecord['status']];
      return json(res, 200, { builds: await builds.list(filter) });
    }
    const m = /^\/api\/builds\/([^/]+)(\/logs)?$/.exec(url.pathname);
    const record = m ? await builds.get(m[1] ?? '') : null;
    if (!m || !record) return json(res, 404, { error: 'not found' });
    if (!m[2]) return json(res, 200, record);
    if (req.headers.accept?.includes('text/event-stream'))
      return streamLogs(builds, record.id, req, res, options.batched ?? false);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      builds
        .logsOf(record.id)
        .map((e) => `[${e.stage}/${e.step}] ${e.text}\n`)
        .join(''),
    );
    return true;
  };
}

function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return true;
}

/**
 * SSE as the queue's API sends it: `id: <index>`, `event: line`, `data: <LogEntry JSON>` per line (or, batched as Berth's
 * API sends it, `event: lines` with a JSON array of up to 500 entries), then `event: end` once the build is final.
 */
async function streamLogs(
  builds: FixtureBuilds,
  id: string,
  req: IncomingMessage,
  res: ServerResponse,
  batched: boolean,
) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  let sent = Number(req.headers['last-event-id'] ?? 0) || 0;
  let open = true;
  req.once('close', () => {
    open = false;
  });
  while (open) {
    const entries = builds.logsOf(id);
    while (open && sent < entries.length) {
      let chunk = '';
      if (batched) {
        const batch = entries.slice(sent, sent + 500);
        sent += batch.length;
        chunk = `id: ${sent}\nevent: lines\ndata: ${JSON.stringify(batch)}\n\n`;
      } else {
        for (const end = Math.min(entries.length, sent + 500); sent < end; sent++) {
          chunk += `id: ${sent + 1}\nevent: line\ndata: ${JSON.stringify(entries[sent])}\n\n`;
        }
      }
      if (!res.write(chunk)) await once(res, 'drain');
    }
    const status = (await builds.get(id))?.status;
    if (status !== 'queued' && status !== 'running' && sent >= builds.logsOf(id).length) {
      res.end(`event: end\ndata: ${JSON.stringify({ status })}\n\n`);
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Serves handlers in order on a free local port (what `berth serve` does for real). */
export async function serveHandlers(handlers: HttpHandler[]): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    try {
      for (const handle of handlers) if (await handle(req, res)) return;
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    } catch (err) {
      res.writeHead(500);
      res.end(String(err));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
