// What per-repository visibility costs the read API. Run by hand:
//   . scripts/use-node.sh && node bench/web-access.ts [builds] [repos] [requests]
// Berth (`serve --role web`) over a private redis-server holds `builds` queued builds
// spread over `repos` GitHub repositories; a user signed in through the fake GitHub
// can read half of them. Prints the median and p95 of `GET /api/builds` (50 newest)
// as the admin, as the user with every answer cached, and as the user with a cold
// cache (each repository asked of the forge), plus the forge requests per cold list.
import type { App } from '../src/app/start.ts';
import { FakeGithub } from '../test/support/fake-github.ts';
import { signIn } from '../test/support/forge-sign-in.ts';
import { startRedis } from '../test/support/redis.ts';
import { pushRequest } from '../test/support/requests.ts';
import { startServe } from '../test/support/serve.ts';

const builds = Number(process.argv[2] ?? 500);
const repos = Number(process.argv[3] ?? 40);
const requests = Number(process.argv[4] ?? 40);
const TOKEN = 'bench-admin-token-0123456789';

const github = new FakeGithub('acme/repo-0');
await github.start();
const roles: Record<string, string> = {};
for (let r = 0; r < repos; r += 2) roles[`acme/repo-${r}`] = 'read';
github.addUser('reader', 1, roles);
const redis = await startRedis();
const app: App = await startServe(
  {
    REDIS_URL: redis.url,
    BERTH_API_TOKEN: TOKEN,
    ...github.signInEnv(),
  },
  'web',
);

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] ?? 0;

async function measure(label: string, headers: Record<string, string>, before?: () => Promise<void>) {
  const times: number[] = [];
  let shown = 0;
  for (let i = 0; i < requests; i++) {
    await before?.();
    const started = performance.now();
    const body = (await (await fetch(`${app.url}/api/builds?limit=50`, { headers })).json()) as {
      builds: unknown[];
    };
    times.push(performance.now() - started);
    shown = body.builds.length;
  }
  console.log(
    `${label.padEnd(34)} median ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms  (${shown} builds listed)`,
  );
}

try {
  for (let i = 0; i < builds; i++) {
    const sha = i.toString(16).padStart(40, '0');
    await app.stack.service.request(pushRequest({ repo: `acme/repo-${i % repos}`, sha, ref: `b${i}` }));
  }
  const cookie = await signIn(app.url, 'github');
  console.log(
    `GET /api/builds?limit=50 over ${builds} builds in ${repos} repositories (user reads half), ${requests} requests each`,
  );
  await measure('admin (bearer token)', { authorization: `Bearer ${TOKEN}` });
  await measure('signed-in user, answers cached', { cookie });
  const forgeCalls = github.requests.length;
  await measure('signed-in user, cold cache', { cookie }, async () => {
    const keys = await app.stack.redis.keys('berth:access:*');
    if (keys.length > 0) await app.stack.redis.del(...keys);
  });
  console.log(
    `forge requests per cold list: ${((github.requests.length - forgeCalls) / requests).toFixed(1)}`,
  );
} finally {
  await app.close();
  await redis.stop();
  await github.stop();
}
