import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createStepOutput } from '../../src/logs/step-output.ts';
import { memorySink } from '../support/memory-sink.ts';

const key = { stage: 'build', step: 'compile' };

describe('createStepOutput', () => {
  it('keeps partial lines per stream until the rest arrives or the step ends', () => {
    const sink = memorySink();
    const output = createStepOutput(sink, key, { secrets: [], capBytes: 1e6, now: () => 7 });
    output.write('stdout', 'hel');
    output.write('stderr', 'oops ');
    output.write('stdout', 'lo\r\nwor');
    output.write('stderr', Buffer.from('bad\n'));
    output.end();
    output.write('stdout', 'dropped\n');
    assert.deepEqual(
      sink.entries.map((e) => [e.stream, e.text]),
      [
        ['stdout', 'hello'],
        ['stderr', 'oops bad'],
        ['stdout', 'wor'],
      ],
    );
    assert.equal(sink.entries[0]?.time, 7);
    assert.equal(sink.entries[0]?.stage, 'build');
  });

  it('decodes a multi-byte character split across chunks', () => {
    const sink = memorySink();
    const output = createStepOutput(sink, key, { secrets: [], capBytes: 1e6 });
    const bytes = Buffer.from('smørrebrød ✓\n');
    for (const byte of bytes) output.write('stdout', Uint8Array.of(byte));
    output.end();
    assert.deepEqual(sink.texts(), ['smørrebrød ✓']);
  });

  const secrets = ['hunter2', 'hunter2-and-more', 's3cr3t'];
  const words = ['a', ' ', 'hunter2', 'hunter2-and-more', 's3cr3t', 'hun', 'ter'];

  /** Feeds `text` in chunks cut at `cuts` and returns the lines the sink got. */
  function feed(text: string, cuts: number[], maxLineChars: number) {
    const sink = memorySink();
    const output = createStepOutput(sink, key, { secrets, capBytes: 1e6, maxLineChars });
    let at = 0;
    for (const cut of [...cuts, text.length]) {
      const next = Math.min(text.length, at + cut);
      output.write('stdout', text.slice(at, next));
      at = next;
    }
    output.end();
    return sink.texts();
  }

  it('never lets a secret through, however the output is chunked', () => {
    const text = fc.array(fc.constantFrom(...words, '\n'), { maxLength: 60 }).map((p) => p.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.nat(40), { maxLength: 10 }), (all, cuts) => {
        const lines = feed(all, cuts, 1000);
        assert.deepEqual(
          lines,
          all === ''
            ? []
            : all
                .replace(/\n$/, '')
                .split('\n')
                .map((l) => l.replace(/hunter2-and-more|hunter2|s3cr3t/g, '***')),
        );
      }),
    );
  });

  it('never splits a secret across the pieces of an over-long line', () => {
    const text = fc.array(fc.constantFrom(...words), { maxLength: 60 }).map((p) => p.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.nat(40), { maxLength: 10 }), fc.nat(20), (all, cuts, maxLine) => {
        const joined = feed(all, cuts, maxLine + 1).join('');
        for (const secret of secrets) assert.ok(!joined.includes(secret), joined);
        assert.equal(joined, all.replace(/hunter2-and-more|hunter2|s3cr3t/g, '***'));
      }),
    );
  });

  it('keeps a long line whole up to the line limit and splits it beyond', () => {
    const sink = memorySink();
    const output = createStepOutput(sink, key, { secrets: [], capBytes: 1e6, maxLineChars: 100 });
    output.write('stdout', `${'x'.repeat(90)}\n${'y'.repeat(250)}\n`);
    output.end();
    assert.deepEqual(
      sink.texts().map((t) => t.length),
      [90, 100, 100, 50],
    );
  });

  it('stops at the byte cap with one visible marker line', () => {
    const sink = memorySink();
    const output = createStepOutput(sink, key, { secrets: [], capBytes: 1000 });
    for (let i = 0; i < 1000; i++) output.write('stdout', 'line of output\n');
    output.write('stderr', 'more\n');
    output.line('system', 'step ended');
    output.end();
    const kept = sink.entries.filter((e) => e.stream !== 'system');
    const bytes = kept.reduce((sum, e) => sum + Buffer.byteLength(e.text) + 1, 0);
    assert.ok(bytes <= 1000, `${bytes} bytes kept`);
    assert.ok(bytes > 900);
    const notes = sink.texts('system');
    assert.deepEqual(notes, ['log truncated: output past 1000 B is not kept', 'step ended']);
  });

  it('redacts whole lines written with their own timestamp', () => {
    const sink = memorySink();
    const output = createStepOutput(sink, key, { secrets: ['pw'], capBytes: 1e6 });
    output.line('stdout', 'the pw is pw', 42);
    assert.deepEqual(sink.entries, [{ ...key, stream: 'stdout', time: 42, text: 'the *** is ***' }]);
  });
});
