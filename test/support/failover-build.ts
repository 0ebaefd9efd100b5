// What the Redis failover tests (Sentinel, Cluster) run and check: one build whose step
// counts its runs outside the build and prints numbered lines over ~6 s.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

export const LINES = 60;

/** Lines 1..LINES, as a complete log has them. */
export const oneToN = Array.from({ length: LINES }, (_, i) => i + 1);

/** A step that appends `run` to `runs` (outside the build) and prints LINES numbered lines over ~6 s. */
export const failoverPipeline = (runs: string) => `build:
  count:
    container:
      image: alpine
      cmds:
        - echo run >> ${runs}
        - seq 1 ${LINES} | while read n; do echo "line $n"; sleep 0.1; done
`;

/** The numbers of the `line N` lines of a log, in order. */
export const numbered = (texts: string[]) =>
  texts.flatMap((t) => {
    const m = /^line (\d+)$/.exec(t);
    return m ? [Number(m[1])] : [];
  });

/** The build's stored log as text lines, without their `[step]` prefixes (GET /api/builds/:id/logs). */
export async function textLog(base: string, headers: Record<string, string>, id: string): Promise<string[]> {
  const res = await fetch(`${base}/api/builds/${id}/logs`, { headers });
  assert.equal(res.status, 200);
  return (await res.text()).split('\n').map((l) => l.replace(/^\[[^\]]*\] /, ''));
}

/** How many times the step ran (lines `run` in `runs`). */
export const runCount = async (runs: string) =>
  (await readFile(runs, 'utf8').catch(() => '')).split('\n').filter((l) => l === 'run').length;
