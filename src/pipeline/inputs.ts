import type { InputDef, InputType, MapEntry, MapNode, ValueNode } from './definition.ts';
import { type Diagnostics, scope } from './diagnostics.ts';

const TYPES: readonly InputType[] = ['string', 'password', 'number', 'choice'];
const KEYS = new Set(['name', 'type', 'default', 'values']);

/** Parses the root `inputs` list. */
export function parseInputs(entry: MapEntry | undefined, diags: Diagnostics): InputDef[] {
  if (!entry) return [];
  if (entry.value.kind === 'scalar' && entry.value.value === null) return [];
  if (entry.value.kind !== 'list') {
    diags.error(entry.value.pos, 'inputs', '"inputs" must be a list of {name, type, default}');
    return [];
  }
  const inputs: InputDef[] = [];
  const names = new Set<string>();
  entry.value.items.forEach((item, i) => {
    const input = parseInput(item, scope('inputs', i), diags);
    if (!input) return;
    if (names.has(input.name)) {
      diags.error(input.pos, scope('inputs', input.name), `duplicate input "${input.name}"`);
      return;
    }
    names.add(input.name);
    inputs.push(input);
  });
  return inputs;
}

function field(map: MapNode, key: string): ValueNode | undefined {
  return map.entries.find((e) => e.key === key)?.value;
}

function scalarText(node: ValueNode | undefined): string | undefined {
  return node?.kind === 'scalar' && node.value !== null ? node.text : undefined;
}

function parseInput(item: ValueNode, path: string, diags: Diagnostics): InputDef | null {
  if (item.kind !== 'map') {
    diags.error(item.pos, path, 'an input must be a map with "name" and "type"');
    return null;
  }
  for (const e of item.entries) {
    if (!KEYS.has(e.key))
      diags.warning(e.keyPos, scope(path, e.key), `unknown input field "${e.key}" (ignored)`);
  }
  const name = scalarText(field(item, 'name'));
  if (!name) {
    diags.error(item.pos, path, 'missing required field: "name"');
    return null;
  }
  const inputPath = scope('inputs', name);
  const typeNode = field(item, 'type');
  const type = scalarText(typeNode);
  if (!type) {
    diags.error(item.pos, inputPath, 'missing required field: "type"');
    return null;
  }
  if (!TYPES.includes(type as InputType)) {
    diags.error(
      typeNode?.pos ?? item.pos,
      scope(inputPath, 'type'),
      `unknown input type "${type}" (expected ${TYPES.join(', ')})`,
    );
    return null;
  }
  const input: InputDef = { name, type: type as InputType, default: undefined, values: [], pos: item.pos };
  return checkDefault(input, item, inputPath, diags) ? input : null;
}

/** Validates `default` (and `values` for choice) and stores them on the input. */
function checkDefault(input: InputDef, item: MapNode, path: string, diags: Diagnostics): boolean {
  const node = field(item, 'default');
  const given = node?.kind === 'scalar' && node.value !== null ? node : undefined;
  if (node && node.kind !== 'scalar') {
    diags.error(node.pos, scope(path, 'default'), 'default must be a string, number or boolean');
    return false;
  }
  if (input.type === 'number') {
    if (given === undefined) return true;
    const number = typeof given.value === 'number' ? given.value : parseNumber(given.text);
    if (number === null) {
      diags.error(
        given.pos,
        scope(path, 'default'),
        `default of number input "${input.name}" is not a number: "${given.text}"`,
      );
      return false;
    }
    input.default = number;
    return true;
  }
  input.default = given?.text;
  return input.type === 'choice' ? checkChoice(input, item, path, diags) : true;
}

function checkChoice(input: InputDef, item: MapNode, path: string, diags: Diagnostics): boolean {
  const values = field(item, 'values');
  if (values?.kind !== 'list' || values.items.length === 0) {
    diags.error(
      values?.pos ?? item.pos,
      scope(path, 'values'),
      `choice input "${input.name}" needs a non-empty "values" list`,
    );
    return false;
  }
  input.values = values.items.map((v) => (v.kind === 'scalar' ? v.text : ''));
  if (input.default === undefined) {
    diags.error(item.pos, path, `choice input "${input.name}" needs a "default" (one of its values)`);
    return false;
  }
  if (!input.values.includes(input.default as string)) {
    const at = field(item, 'default')?.pos ?? item.pos;
    diags.error(
      at,
      scope(path, 'default'),
      `default "${input.default}" is not one of the values: ${input.values.join(', ')}`,
    );
    return false;
  }
  return true;
}

/** A decimal number, or null. */
export function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return null;
  return Number(trimmed);
}
