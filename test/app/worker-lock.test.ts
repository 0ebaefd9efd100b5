// With Sentinel a worker's lock outlasts a failover unless BERTH_LOCK_SECONDS says otherwise:
// a lock that lapses while Redis fails over makes the running build run a second time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { workerLockMs } from '../../src/app/worker-lock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { sentinelTestsCanRun, startSentinelSet, type TestSentinelSet } from '../support/redis-sentinel.ts';

/** A logger that keeps what it writes. */
function recorded() {
  const lines: Array<{ level: number; msg: string; atLeastSeconds?: number }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('the worker lock with Sentinel', { skip: !sentinelTestsCanRun() }, () => {
  let set: TestSentinelSet;
  before(async () => {
    // The sentinels wait 12 s before failing a primary over: a lock must last 17 s.
    set = await startSentinelSet({ downAfterMs: 12_000, replicas: 0 });
  });
  after(async () => {
    await set?.stop();
  });
  const env = () => ({ REDIS_SENTINELS: set.sentinels, REDIS_SENTINEL_NAME: set.name });

  it('unset, it is raised to outlast a failover, and says so', async () => {
    const { logger, lines } = recorded();
    assert.equal(await workerLockMs(loadConfig(env()), logger), 17_000);
    assert.ok(lines.some((l) => l.level === 30 && /raised to outlast a Sentinel failover/.test(l.msg)));
  });

  it('set shorter, it is kept as given, with a warning naming the least that is safe', async () => {
    const { logger, lines } = recorded();
    assert.equal(await workerLockMs(loadConfig({ ...env(), BERTH_LOCK_SECONDS: '4' }), logger), 4000);
    const warning = lines.find((l) => l.level === 40);
    assert.match(warning?.msg ?? '', /shorter than a Sentinel failover takes/);
    assert.equal(warning?.atLeastSeconds, 17);
  });

  it('without Sentinel it is what the configuration says', async () => {
    const { logger } = recorded();
    assert.equal(await workerLockMs(loadConfig({}), logger), 8000);
    assert.equal(await workerLockMs(loadConfig({ BERTH_LOCK_SECONDS: '3' }), logger), 3000);
  });
});
