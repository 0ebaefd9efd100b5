import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Launch } from '../../src/runtime/local/launcher.ts';
import { createLauncherPool } from '../../src/runtime/local/launcher-pool.ts';

/** Runs `script` in sh; resolves with what it printed and how it ended. */
function shell(pool: ReturnType<typeof createLauncherPool>, script: string) {
  let out = '';
  const launch: Launch = {
    file: '/bin/sh',
    args: ['-c', script],
    cwd: '/',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    onStart: () => {},
    onOutput: (_stream, data) => {
      out += Buffer.from(data).toString();
    },
  };
  return pool.run(launch).then((end) => ({ end, out: out.trim() }));
}

describe('launcher pool', () => {
  it('starts concurrent commands from different launchers', async () => {
    const pool = createLauncherPool(2);
    try {
      const runs = await Promise.all([
        shell(pool, 'echo $PPID; sleep 0.3'),
        shell(pool, 'echo $PPID; sleep 0.3'),
      ]);
      for (const { end } of runs) assert.deepEqual(end, { kind: 'exited', code: 0, signal: null });
      const parents = new Set(runs.map((r) => r.out));
      assert.equal(parents.size, 2, `both ran under ${[...parents]}`);
      assert.ok(!parents.has(String(process.pid)));
    } finally {
      pool.close();
    }
  });

  it('uses an idle launcher again once its command has ended', async () => {
    const pool = createLauncherPool(2);
    try {
      const first = await shell(pool, 'echo $PPID');
      const second = await shell(pool, 'echo $PPID; exit 3');
      assert.equal(second.out, first.out);
      assert.deepEqual(second.end, { kind: 'exited', code: 3, signal: null });
    } finally {
      pool.close();
    }
  });
});
