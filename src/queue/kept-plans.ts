import type { BuildPlan } from '../pipeline/types.ts';

/**
 * Plans of builds that went to wait for their slots, kept by the worker process that made
 * them, so a woken build this process takes runs the plan it made instead of reading and
 * planning its pipeline again. Only plans of a pinned commit are kept (the file there cannot
 * change); the oldest go first past `max` (builds cancelled while waiting never come back).
 */
export class KeptPlans {
  readonly #plans = new Map<string, BuildPlan>();
  readonly #max: number;

  constructor(max = 1000) {
    this.#max = max;
  }

  keep(id: string, plan: BuildPlan): void {
    this.#plans.delete(id);
    this.#plans.set(id, plan);
    for (const oldest of this.#plans.keys()) {
      if (this.#plans.size <= this.#max) break;
      this.#plans.delete(oldest);
    }
  }

  /** The plan kept for the build, forgotten here. */
  take(id: string): BuildPlan | null {
    const plan = this.#plans.get(id) ?? null;
    this.forget(id);
    return plan;
  }

  forget(id: string): void {
    this.#plans.delete(id);
  }
}
