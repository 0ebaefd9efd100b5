import type { TerminalOverride } from './pod-status.ts';
import type { ContainerJson, ContainerStateJson, ContainerStatusJson, PodJson } from './types.ts';

/** What a scripted image (images.ts) may do to the pod it runs in; `PodSim` implements it. */
export interface SimulatedPod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** Steps (`build/stage/step`) the `evicted-once` image already evicted, shared by every pod of the fake. */
  readonly deps: { readonly evictedOnce: Set<string> };
  pod(): PodJson;
  update(mutate: (pod: PodJson) => void): void;
  tick(count?: number): Promise<void>;
  event(
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    container?: ContainerJson,
    init?: boolean,
  ): void;
  setState(
    container: ContainerJson,
    init: boolean,
    state: ContainerStateJson,
    extra?: Partial<ContainerStatusJson>,
  ): void;
  runContainer(
    container: ContainerJson,
    init: boolean,
    options?: { early?: boolean; oomKilled?: boolean; plain?: boolean },
  ): Promise<number>;
  fail(override: TerminalOverride): Promise<void>;
}
