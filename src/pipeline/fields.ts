import type { MapEntry, Pos, ScalarNode, StepDef } from './definition.ts';
import { type Diagnostics, scope } from './diagnostics.ts';
import type { ScalarValues } from './scalar-values.ts';
import type { Substituted } from './substitute.ts';

const TRUE_WORDS = new Set(['true', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', 'no', 'off']);

/** Reads a step's fields with variables substituted, reporting problems at the use site. */
export class FieldReader {
  readonly step: StepDef;
  readonly path: string;
  readonly #values: ScalarValues;
  readonly #diags: Diagnostics;

  constructor(step: StepDef, values: ScalarValues, diags: Diagnostics) {
    this.step = step;
    this.path = scope(step.stage, step.name, step.type);
    this.#values = values;
    this.#diags = diags;
  }

  has(name: string): boolean {
    return this.step.fields.has(name);
  }

  /** A string field (numbers and booleans become text); `fallback` may hold `${var}`s. */
  string(name: string, fallback = ''): string {
    const entry = this.step.fields.get(name);
    if (!entry) return this.#fallback(name, fallback);
    const node = this.#scalar(entry, 'a string');
    return node ? this.#values.of(node, scope(this.path, name)).text : '';
  }

  /** A required string field: present and not empty after substitution. */
  required(name: string): string {
    const value = this.string(name);
    if (value === '' && this.#isScalarOrMissing(name)) this.missing(name);
    return value;
  }

  /** A boolean field: true/false or the YAML 1.1 words yes/no/on/off, any case. */
  bool(name: string, fallback: boolean): boolean {
    const entry = this.step.fields.get(name);
    if (!entry) return fallback;
    const node = this.#scalar(entry, 'a boolean');
    if (!node || node.value === null) return fallback;
    const sub = this.#values.of(node, scope(this.path, name));
    const parsed = toBoolean(sub.value);
    if (parsed !== null) return parsed;
    this.error(
      node.pos,
      name,
      `"${name}" must be a boolean (true/false, yes/no, on/off), got "${sub.text}"${fromWhere(sub)}`,
    );
    return fallback;
  }

  /** A list of strings; undefined when absent. */
  list(name: string): string[] | undefined {
    const entry = this.step.fields.get(name);
    if (!entry || (entry.value.kind === 'scalar' && entry.value.value === null)) return undefined;
    if (entry.value.kind !== 'list') {
      this.error(entry.value.pos, name, `"${name}" must be a list`);
      return [];
    }
    return entry.value.items.flatMap((item, i) => {
      const path = scope(this.path, name, i);
      if (item.kind !== 'scalar') {
        this.#diags.error(item.pos, path, `items of "${name}" must be strings, not a ${item.kind}`);
        return [];
      }
      return [this.#values.of(item, path).text];
    });
  }

  /**
   * A list of sh script lines (`cmds`): as `list`, with variables from outside the
   * repository left for sh to expand from `env` (see ScalarValues.script).
   */
  script(name: string, env: Record<string, string>): string[] | undefined {
    const entry = this.step.fields.get(name);
    if (!entry || (entry.value.kind === 'scalar' && entry.value.value === null)) return undefined;
    if (entry.value.kind !== 'list') return this.list(name);
    return entry.value.items.flatMap((item, i) => {
      const path = scope(this.path, name, i);
      if (item.kind !== 'scalar') {
        this.#diags.error(item.pos, path, `items of "${name}" must be strings, not a ${item.kind}`);
        return [];
      }
      return [this.#values.script(item, path, env)];
    });
  }

  /** A map of string → scalar (values become text); empty when absent. */
  map(name: string): Array<[string, string]> {
    const entry = this.step.fields.get(name);
    if (!entry || (entry.value.kind === 'scalar' && entry.value.value === null)) return [];
    if (entry.value.kind !== 'map') {
      this.error(entry.value.pos, name, `"${name}" must be a map of key: value`);
      return [];
    }
    return entry.value.entries.flatMap((e): Array<[string, string]> => {
      const path = scope(this.path, name, e.key);
      if (e.value.kind !== 'scalar') {
        this.#diags.error(e.value.pos, path, `values of "${name}" must be strings, not a ${e.value.kind}`);
        return [];
      }
      return [[e.key, this.#values.of(e.value, path).text]];
    });
  }

  /** Substitutes a text that is not in the file (a default), reporting at the step type key. */
  expand(text: string, field: string): Substituted {
    const { result } = this.#values.subst.text(text);
    this.#values.report(result.issues, this.step.typePos, scope(this.path, field), `default of "${field}"`);
    return result;
  }

  /** A variable's substituted value, or undefined. */
  variable(name: string): Substituted | undefined {
    return this.#values.subst.variable(name);
  }

  missing(name: string): void {
    this.#diags.error(this.step.typePos, scope(this.path, name), `missing required field: "${name}"`);
  }

  error(pos: Pos, field: string, message: string): void {
    this.#diags.error(pos, scope(this.path, field), message);
  }

  warning(pos: Pos, field: string, message: string): void {
    this.#diags.warning(pos, scope(this.path, field), message);
  }

  /** Position of a field's value, else of the step type key. */
  posOf(name: string): Pos {
    return this.step.fields.get(name)?.value.pos ?? this.step.typePos;
  }

  #fallback(name: string, fallback: string): string {
    return fallback.includes('${') ? this.expand(fallback, name).text : fallback;
  }

  #isScalarOrMissing(name: string): boolean {
    const entry = this.step.fields.get(name);
    return !entry || entry.value.kind === 'scalar';
  }

  #scalar(entry: MapEntry, what: string): ScalarNode | null {
    if (entry.value.kind === 'scalar') return entry.value;
    this.error(entry.value.pos, entry.key, `"${entry.key}" must be ${what}, not a ${entry.value.kind}`);
    return null;
  }
}

/** true/false from a boolean or a YAML 1.1 word (any case); null otherwise. */
export function toBoolean(value: string | number | boolean | null): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return null;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return null;
}

/** ` (value of "X" from environment "prod" (3:5))` when a value came through variables. */
export function fromWhere(sub: Substituted): string {
  return sub.origins.length ? ` (value of ${sub.origins.join(', via ')})` : '';
}
