import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BuildService } from '../../builds/service.ts';
import { isFinal } from '../../builds/state.ts';
import type { RedisLogStore, StoredLogEntry } from '../../logs/redis-store.ts';
import { urlOf } from '../respond.ts';

const prefix = (e: StoredLogEntry) => (e.stage || e.step ? `[${e.stage}/${e.step}] ` : '');

/** `GET /api/builds/:id/logs` as plain text: every stored line, `[stage/step]` prefixed. */
export async function sendTextLog(logs: RedisLogStore, id: string, res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  let after: string | null = null;
  for (;;) {
    const page = await logs.read(id, after, 1000);
    for (const entry of page.entries) res.write(`${prefix(entry)}${entry.text}\n`);
    const last = page.entries.at(-1);
    if (!last) break;
    after = last.id;
  }
  res.end();
}

/**
 * The log as Server-Sent Events: `lines` events carrying a JSON array of up to 1000
 * lines, each `[stage, step, stream, time, text]` as stored (`id` = the stream id of the last, so a reconnect with `Last-Event-ID` resumes
 * after it), comment heartbeats, an `end` event with the build's status when it is
 * over. `?after=<stream id>` starts after that line when no `Last-Event-ID` is sent
 * (the build page already holds the lines up to it). Past the follower caps it answers
 * 503 without touching Redis.
 */
export async function streamLog(
  deps: { logs: RedisLogStore; service: BuildService; heartbeatMs: number },
  id: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const slot = deps.logs.followerSlot(id);
  if (!slot.ok) {
    const error =
      slot.limit === 'build'
        ? 'this build has as many log followers as it may; try again later'
        : 'this server follows as many logs as it may; try again later';
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '10' });
    res.end(JSON.stringify({ error }));
    return;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  req.once('close', stop);
  res.once('close', stop);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(': berth log stream\n\n');
  const heartbeat = setInterval(() => res.write(': ping\n\n'), deps.heartbeatMs);
  const lastEventId = req.headers['last-event-id'] ?? urlOf(req).searchParams.get('after');
  const after = typeof lastEventId === 'string' && /^\d+-\d+$/.test(lastEventId) ? lastEventId : null;
  const isDone = async () => {
    const record = await deps.service.get(id);
    return record === null || isFinal(record.status);
  };
  try {
    for await (const batch of deps.logs.follow(id, { after, signal: controller.signal, isDone })) {
      const written = res.write(`id: ${batch.lastId}\nevent: lines\ndata: ${batch.wire()}\n\n`);
      // A slow client holds its own follow back, not the process's shared reader.
      if (!written && !controller.signal.aborted)
        await once(res, 'drain', { signal: controller.signal }).catch(() => {});
    }
    if (!controller.signal.aborted) {
      const record = await deps.service.get(id);
      res.write(`event: end\ndata: ${JSON.stringify({ status: record?.status ?? null })}\n\n`);
    }
  } finally {
    slot.release();
    clearInterval(heartbeat);
    req.off('close', stop);
    res.off('close', stop);
    res.end();
  }
}
