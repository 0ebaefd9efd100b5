/** Pure renderers of what Berth shows on a forge: status lines, summary and config-error comments, check-run output. */
export { CHECK_OUTPUT_MAX, type CheckOutput, checkOutput } from './check-run.ts';
export {
  buildUrl,
  contextFor,
  describe,
  MAX_DESCRIPTION,
  noPipelineStatus,
  skippedStatus,
  statusOf,
  stepProblem,
  waitingStatus,
} from './status.ts';
export {
  diagnosticsFromText,
  GITHUB_COMMENT_MAX,
  GITLAB_NOTE_MAX,
  type RenderOptions,
  renderConfigErrors,
  renderSummary,
  renderTails,
  type StepTail,
  SUMMARY_MARKER,
  stepTable,
} from './summary.ts';
export { duration, redact, shorten } from './text.ts';
