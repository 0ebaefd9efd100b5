import { secretInputValues } from '../builds/inputs.ts';
import type { BuildRecord } from '../builds/types.ts';
import { describe } from './status.ts';
import { inputsLines, renderTails, type StepTail, stepTable } from './summary.ts';
import { redact, shorten } from './text.ts';

/** GitHub's limit for a check run's output summary and text, each. */
export const CHECK_OUTPUT_MAX = 65_535;

/** A check run's output: title, summary = the step table, text = the failed steps' log tails. */
export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

/** The output of a check run for a build. */
export function checkOutput(
  record: BuildRecord,
  tails: StepTail[],
  secrets: readonly string[] = [],
  publicUrl: string | null = null,
): CheckOutput {
  const hidden = [...secrets, ...secretInputValues(record)];
  const head = [describe(record), ...inputsLines(record), '', stepTable(record, publicUrl)].join('\n');
  const summary = shorten(redact(head, hidden), CHECK_OUTPUT_MAX);
  const budget = tails.length > 0 ? Math.floor(CHECK_OUTPUT_MAX / tails.length) - 200 : 0;
  const text = budget > 0 ? shorten(redact(renderTails(tails, budget), hidden), CHECK_OUTPUT_MAX) : '';
  return { title: shorten(redact(describe(record), hidden), 255), summary, ...(text ? { text } : {}) };
}
