// Memory of the web process under unauthenticated webhook bodies (issue 15): starts
// `berth serve --role web` with GitHub and GitLab on, then sends waves of 16 concurrent
// 24 MB POSTs — unsigned, with a wrong signature, with a wrong GitLab token, with the
// right GitLab token (read under the in-flight budget) — and prints, per wave, the
// answers and the process's resident memory before, after and at its peak (VmHWM, reset
// before each wave). Linux only. Run by hand:
//   . scripts/use-node.sh && node bench/ingress-memory.ts [posts=16] [MB=24]
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { freePort, startRedis } from '../test/support/redis.ts';

const posts = Number(process.argv[2] ?? 16);
const size = Number(process.argv[3] ?? 24) * 1024 * 1024;
const body = Buffer.alloc(size, ' ');
const redis = await startRedis();
const port = await freePort();
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();
const env: Record<string, string | undefined> = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  PORT: String(port),
  HOST: '127.0.0.1',
  REDIS_URL: redis.url,
  LOG_LEVEL: 'error',
  LOG_FORMAT: 'json',
  APP_ID: '1',
  PRIVATE_KEY: privateKey,
  WEBHOOK_SECRET: 'github-secret',
  GITLAB_TOKEN: 'glpat-bench',
  GITLAB_WEBHOOK_SECRET: 'gitlab-secret',
  GITLAB_URL: 'http://127.0.0.1:9',
};
const child = spawn(
  process.execPath,
  [new URL('../bin/berth.js', import.meta.url).pathname, 'serve', '--role', 'web'],
  {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const base = `http://127.0.0.1:${port}`;

const memory = async () => {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
};

/** POSTs the body at full speed; the status, or `reset` when the server closed first. */
const post = (path: string, headers: Record<string, string>) =>
  new Promise<string>((resolve) => {
    const req = request(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(size), ...headers },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
      req.destroy();
    });
    req.on('error', () => resolve('reset'));
    req.end(body);
  });

const waves: Array<[string, string, Record<string, string>]> = [
  ['GitHub, no signature', '/api/github/webhooks', { 'x-github-event': 'push', 'x-github-delivery': 'm' }],
  [
    'GitHub, wrong signature',
    '/api/github/webhooks',
    { 'x-github-event': 'push', 'x-github-delivery': 'm', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
  ],
  [
    'GitLab, wrong token',
    '/api/gitlab/webhooks',
    { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'wrong' },
  ],
  [
    'GitLab, right token',
    '/api/gitlab/webhooks',
    { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'gitlab-secret' },
  ],
];

try {
  const ready = Date.now() + 60_000;
  while ((await fetch(`${base}/healthz`).catch(() => null))?.status !== 200) {
    if (Date.now() > ready) throw new Error('berth serve did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  const mb = (v: number) => `${v.toFixed(0)} MB`;
  console.log(`berth serve --role web: ${mb((await memory()).rss)} resident after start`);
  for (const [name, path, headers] of waves) {
    await writeFile(`/proc/${child.pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
    const before = await memory();
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: posts }, () => post(path, headers)));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const after = await memory();
    const byAnswer = new Map<string, number>();
    for (const a of answers) byAnswer.set(a, (byAnswer.get(a) ?? 0) + 1);
    const counts = [...byAnswer].map(([a, n]) => `${n}×${a}`);
    console.log(
      `${name}: ${posts} × ${size / 1024 / 1024} MB in ${seconds} s → ${counts.join(' ')}; ` +
        `resident ${mb(before.rss)} → ${mb(after.rss)}, peak ${mb(after.peak)}`,
    );
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await redis.stop();
}
