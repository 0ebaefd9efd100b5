import type { ContainerLog } from './container-log.ts';
import type { ContainerProcess } from './container-process.ts';
import { PodSim, type SimDeps } from './pod-sim.ts';
import type { PodJson } from './types.ts';

/** Runs a PodSim per pod and handles graceful deletion; the only owner of container processes. */
export class Kubelet {
  private readonly sims = new Map<string, PodSim>();
  private readonly deps: SimDeps;

  constructor(deps: SimDeps) {
    this.deps = deps;
  }

  /** Start the timeline of a newly created pod. */
  admit(pod: PodJson): void {
    const sim = new PodSim(pod, this.deps);
    this.sims.set(sim.uid, sim);
    sim.run().catch((error: unknown) => console.error('fake kube: kubelet simulation failed', error));
  }

  /** The captured log of one container, once it was started. */
  log(uid: string, container: string): ContainerLog | undefined {
    return this.sims.get(uid)?.containers.get(container)?.log;
  }

  /** The main process of one container, once it was started. */
  process(uid: string, container: string): ContainerProcess | undefined {
    return this.sims.get(uid)?.containers.get(container)?.process;
  }

  /** Graceful stop: SIGTERM to every PID 1, SIGKILL after the grace period, last status published. */
  async terminate(uid: string, graceSeconds: number): Promise<void> {
    const sim = this.sims.get(uid);
    if (!sim) return;
    await sim.stop('SIGTERM', graceSeconds);
    await sim.finalStatus();
  }

  /** Forget a deleted pod: kill what is left and remove its files. */
  async forget(uid: string): Promise<void> {
    const sim = this.sims.get(uid);
    if (!sim) return;
    this.sims.delete(uid);
    await sim.stop('SIGKILL', 0);
    sim.removeFiles();
  }

  /** Kill every container process and remove every pod folder. */
  async close(): Promise<void> {
    await Promise.all([...this.sims.keys()].map((uid) => this.forget(uid)));
  }
}
