import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { createConsoleSink } from '../../src/logs/console-sink.ts';

async function printed(color: boolean) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk) => {
    text += chunk;
  });
  const sink = createConsoleSink(out, { color });
  sink.append({ stage: 'test', step: 'unit', stream: 'stdout', time: 1, text: 'ok 1' });
  sink.append({ stage: 'test', step: 'lint', stream: 'stderr', time: 2, text: 'warning' });
  sink.append({ stage: 'test', step: 'unit', stream: 'system', time: 3, text: 'exited with code 0' });
  await sink.flush();
  return text;
}

describe('createConsoleSink', () => {
  it('prefixes every line with its stage and step and marks stderr', async () => {
    assert.equal(
      await printed(false),
      '[test/unit] ok 1\n[test/lint]! warning\n[test/unit] » exited with code 0\n',
    );
  });

  it('colours each step differently when asked', async () => {
    const text = await printed(true);
    const esc = '\x1b';
    assert.ok(text.startsWith(`${esc}[36m[test/unit]${esc}[0m ok 1\n`), text);
    assert.ok(text.includes(`${esc}[33m[test/lint]${esc}[0m`), text);
  });
});
