// The builds API as a test drives it over HTTP: start a build, wait for it to end.
import assert from 'node:assert/strict';

/** Resolves once `check()` is true; throws after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `POST /api/builds` for `source` (e.g. `local:/abs/path`) at `ref`; asserts 201, returns the id. */
export async function startBuild(base: string, token: string, source: string, ref = 'main'): Promise<string> {
  const res = await fetch(`${base}/api/builds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify({ source, ref }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

/** The build's API record once it is no longer queued or running. */
export interface EndedBuild {
  status: string;
  reason: string | null;
  message: string | null;
}

/** Polls `GET /api/builds/:id` (as the admin when `token` is given) until the build has ended. */
export async function endedBuild(
  base: string,
  id: string,
  o: { token?: string; timeoutMs?: number } = {},
): Promise<EndedBuild> {
  let record: EndedBuild | null = null;
  const headers: Record<string, string> = o.token ? { authorization: `Bearer ${o.token}` } : {};
  const timeoutMs = o.timeoutMs ?? 30_000;
  await until(async () => {
    record = (await (await fetch(`${base}/api/builds/${id}`, { headers })).json()) as EndedBuild;
    return !['queued', 'running'].includes(record.status);
  }, timeoutMs);
  return record as unknown as EndedBuild;
}
