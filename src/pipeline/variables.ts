import type { Pos } from './definition.ts';

/** A variable's value and a human description of where it came from. */
export interface Variable {
  value: string | number | boolean;
  text: string;
  origin: string;
  /** Where the definition file defines it (environments, inputs); absent for outside values. */
  pos?: Pos;
}

/** One source of variables (inputs, an environment, WHARF_VAR_*, …), checked in order. */
export interface VariableLayer {
  describe: (name: string) => string;
  vars: ReadonlyMap<string, { value: string | number | boolean; text: string; pos?: Pos }>;
}

/** A layer of plain string variables. */
export function stringLayer(
  vars: Record<string, string> | undefined,
  describe: (name: string) => string,
): VariableLayer {
  const map = new Map<string, { value: string; text: string }>();
  for (const [name, value] of Object.entries(vars ?? {})) {
    if (typeof value === 'string') map.set(name, { value, text: value });
  }
  return { describe, vars: map };
}

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
        const found = { value: hit.value, text: hit.text, origin: layer.describe(name) };
        return hit.pos ? { ...found, pos: hit.pos } : found;
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
