import type { BuildEvent, StepResult } from '../engine/types.ts';
import type { BuildPlan } from '../pipeline/types.ts';
import type { BuildRecord, StageRecord, StepRecord } from './types.ts';

const pendingStep = (name: string): StepRecord => ({
  name,
  status: 'pending',
  exitCode: null,
  reason: null,
  message: null,
  startedAt: null,
  finishedAt: null,
});

/** Fills the record's stages from the plan, every step pending, and notes which inputs are passwords. */
export function withPlan(record: BuildRecord, plan: BuildPlan): BuildRecord {
  const stages: StageRecord[] = plan.stages.map((stage) => ({
    name: stage.name,
    status: 'pending',
    steps: stage.steps.map((step) => pendingStep(step.name)),
  }));
  return { ...record, stages, secretInputs: [...plan.secretInputs] };
}

/** The record after one engine event (per-stage / per-step state; the final result). */
export function applyEvent(record: BuildRecord, event: BuildEvent): BuildRecord {
  switch (event.type) {
    case 'build-started':
      return record;
    case 'stage-started':
      return mapStage(record, event.stage, (s) => ({ ...s, status: 'running' }));
    case 'step-started':
      return mapStep(record, event.stage, event.step, (s) => ({
        ...s,
        status: 'running',
        startedAt: event.at,
      }));
    case 'step-finished':
      return mapStep(record, event.result.stage, event.result.name, () => stepRecord(event.result));
    case 'stage-finished':
      return mapStage(record, event.result.name, (s) => ({
        ...s,
        status: event.result.status,
        steps: event.result.steps.map(stepRecord),
      }));
    case 'build-finished': {
      const { result } = event;
      const byName = new Map(result.stages.map((s) => [s.name, s]));
      return {
        ...record,
        status: result.status,
        reason: result.reason,
        message: result.message,
        finishedAt: result.finishedAt,
        stages: record.stages.map((stage) => {
          const done = byName.get(stage.name);
          return done ? { ...stage, status: done.status, steps: done.steps.map(stepRecord) } : stage;
        }),
      };
    }
  }
}

function stepRecord(result: StepResult): StepRecord {
  const { stage: _stage, ...rest } = result;
  return rest;
}

function mapStage(record: BuildRecord, name: string, change: (s: StageRecord) => StageRecord): BuildRecord {
  return { ...record, stages: record.stages.map((s) => (s.name === name ? change(s) : s)) };
}

function mapStep(
  record: BuildRecord,
  stage: string,
  step: string,
  change: (s: StepRecord) => StepRecord,
): BuildRecord {
  return mapStage(record, stage, (s) => {
    const known = s.steps.some((x) => x.name === step);
    const steps = known ? s.steps : [...s.steps, pendingStep(step)];
    return { ...s, steps: steps.map((x) => (x.name === step ? change(x) : x)) };
  });
}
