import type { Pos } from './definition.ts';

/** A variable's value and a human description of where it came from. */
export interface Variable {
  value: string | number | boolean;
  text: string;
  origin: string;
  /** Where the definition file defines it (environments, inputs); absent for outside values. */
  pos?: Pos;
  /** Set when the value does not come from the repository (see Trust). */
  trust?: Trust;
}

/**
 * Where a value comes from when not from the repository's own files: `forge` for what
 * whoever pushes or opens a change controls (branch, tag, commit subject, a trigger's
 * input values); `outside` for the rest (build numbers, WHARF_VAR_*, configuration).
 */
export type Trust = 'outside' | 'forge';

/** One source of variables (inputs, an environment, WHARF_VAR_*, …), checked in order. */
export interface VariableLayer {
  describe: (name: string) => string;
  vars: ReadonlyMap<string, { value: string | number | boolean; text: string; pos?: Pos; trust?: Trust }>;
}

/** A layer of plain string variables; `trust` says which of them come from outside the repository. */
export function stringLayer(
  vars: Record<string, string> | undefined,
  describe: (name: string) => string,
  trust: (name: string) => Trust | undefined = () => undefined,
): VariableLayer {
  const map = new Map<string, { value: string; text: string; trust?: Trust }>();
  for (const [name, value] of Object.entries(vars ?? {})) {
    if (typeof value !== 'string') continue;
    const level = trust(name);
    map.set(name, level ? { value, text: value, trust: level } : { value, text: value });
  }
  return { describe, vars: map };
}

/** Forge facts whose text whoever pushes a branch or tag, or writes a commit, chooses. */
export const FORGE_CONTROLLED = new Set([
  'GIT_BRANCH',
  'REPO_BRANCH',
  'GIT_SAFEBRANCH',
  'GIT_TAG',
  'GIT_COMMIT_SUBJECT',
]);

/** Trust of the build variables and of what `berth run` estimates from git. */
export const forgeFactTrust = (name: string): Trust => (FORGE_CONTROLLED.has(name) ? 'forge' : 'outside');

/** Looks a name up through the layers; the first hit wins. */
export class VariableScope {
  readonly #layers: VariableLayer[];

  constructor(layers: VariableLayer[]) {
    this.#layers = layers;
  }

  get(name: string): Variable | undefined {
    for (const layer of this.#layers) {
      const hit = layer.vars.get(name);
      if (hit) {
        const found: Variable = { value: hit.value, text: hit.text, origin: layer.describe(name) };
        if (hit.pos) found.pos = hit.pos;
        if (hit.trust) found.trust = hit.trust;
        return found;
      }
    }
    return undefined;
  }

  /** Every name in scope, lowest layer first so higher layers overwrite. */
  names(): string[] {
    const names = new Set<string>();
    for (const layer of [...this.#layers].reverse()) for (const name of layer.vars.keys()) names.add(name);
    return [...names];
  }
}
