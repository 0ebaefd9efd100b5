import type { RerunMode, RunsIf, StepType } from './types.ts';

/** 1-based line and column in the parsed file. */
export interface Pos {
  line: number;
  col: number;
}

/** A YAML scalar with its resolved value, its text and where it sits. */
export interface ScalarNode {
  kind: 'scalar';
  value: string | number | boolean | null;
  /** The value as text (numbers keep their source spelling, null is ''). */
  text: string;
  pos: Pos;
  /** Offset of the scalar's source in the file, and that source (quotes included). */
  offset: number;
  source: string;
}

/** A YAML sequence. */
export interface ListNode {
  kind: 'list';
  items: ValueNode[];
  pos: Pos;
}

/** One key of a map, with where the key sits. */
export interface MapEntry {
  key: string;
  keyPos: Pos;
  value: ValueNode;
}

/** A YAML mapping, merge keys applied, in file order. */
export interface MapNode {
  kind: 'map';
  entries: MapEntry[];
  pos: Pos;
}

/** A YAML value after alias and merge-key resolution, keys checked. */
export type ValueNode = ScalarNode | ListNode | MapNode;

/** The four input types. */
export type InputType = 'string' | 'password' | 'number' | 'choice';

/** One declared input. */
export interface InputDef {
  name: string;
  type: InputType;
  /** Declared default (numbers for number inputs), or undefined. */
  default: string | number | undefined;
  /** Allowed values (choice only). */
  values: string[];
  pos: Pos;
}

/** One scalar variable of an environment, with where it was defined. */
export interface EnvVar {
  value: string | number | boolean;
  text: string;
  pos: Pos;
}

/** One root environment and its variables. */
export interface EnvironmentDef {
  name: string;
  pos: Pos;
  vars: Map<string, EnvVar>;
}

/** One step: its type and raw fields. */
export interface StepDef {
  stage: string;
  name: string;
  type: StepType;
  /** Position of the step's name key and of its type key. */
  pos: Pos;
  typePos: Pos;
  /** The type's fields, unvalidated: values are checked after substitution. */
  fields: Map<string, MapEntry>;
}

/** One stage: filter, runs-if and steps in file order. */
export interface StageDef {
  name: string;
  pos: Pos;
  /**
   * Environments the stage runs in (a name holding `${var}` is kept as its scalar and
   * resolved when planned); null when it runs in all (and without one).
   */
  environments: Array<string | ScalarNode> | null;
  /** success/fail/always, or a value holding `${var}`, resolved when planned. */
  runsIf: RunsIf | { key: string; node: ScalarNode };
  steps: StepDef[];
}

/** The root `concurrency` map as written: the group may hold `${var}`s. */
export interface ConcurrencyDef {
  group: ScalarNode;
  limit: number;
  cancelInProgress: boolean;
  pos: Pos;
}

/** A parsed `.wharf-ci.yml`: structure checked, values not yet substituted. */
export interface Definition {
  file: string;
  inputs: InputDef[];
  /** Position of the `inputs` key (for problems with `-i` values), or 1:1. */
  inputsPos: Pos;
  environments: Map<string, EnvironmentDef>;
  stages: StageDef[];
  /** The root `concurrency` group, or null. */
  concurrency: ConcurrencyDef | null;
  /** The root `rerun` mode, or null (default: `failed`). */
  rerun: RerunMode | null;
  /** Offsets where each line starts (to place `${var}` uses inside scalars). */
  lineStarts: number[];
}
