import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { berth, fixtureRepo } from '../support/cli.ts';
import { tempDir } from '../support/engine.ts';

const ONLY_SETTINGS = [
  'inputs:',
  '  - name: greeting',
  '    type: string',
  '    default: hi',
  'environments:',
  '  prod:',
  '    REPLICAS: 3',
  '',
].join('\n');

let home: Awaited<ReturnType<typeof tempDir>>;
let repo: Awaited<ReturnType<typeof fixtureRepo>>;
before(async () => {
  home = await tempDir('berth-home-');
  repo = await fixtureRepo(ONLY_SETTINGS);
});
after(async () => {
  await repo.remove();
  await home.remove();
});

describe('a file with only inputs and environments (no stage)', () => {
  it('is valid: berth lint warns and exits 0', async () => {
    const lint = await berth(['lint'], repo.dir, home.dir);
    assert.equal(lint.code, 0, lint.output);
    assert.match(lint.output, /^\.wharf-ci\.yml:1:1: warning: the file defines no stages$/m);
  });

  it('berth plan says there is nothing to run and exits 0', async () => {
    const plan = await berth(['plan', '-e', 'prod'], repo.dir, home.dir);
    assert.equal(plan.code, 0, plan.output);
    assert.match(plan.output, /^Nothing to run: the file defines no stages\.$/m);
  });

  it('berth run runs nothing, says so and succeeds', async () => {
    const run = await berth(['run', '--runtime', 'local'], repo.dir, home.dir);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /nothing to run: the file defines no stages$/m);
  });
});
