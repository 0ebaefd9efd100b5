import type { Definition, Pos } from './definition.ts';
import { type Diagnostics, scope } from './diagnostics.ts';
import { parseNumber } from './inputs.ts';
import type { Trust, VariableLayer } from './variables.ts';

/** Inputs resolved for one plan: values, the variable layer, and which are secret. */
export interface ResolvedInputs {
  values: Record<string, string | number>;
  layer: VariableLayer;
  secretInputs: string[];
  secrets: string[];
}

/**
 * Resolves every declared input: the given value (`-i` or the bot's trigger), else the
 * default, else "" (number: 0). Undeclared names and invalid values are errors.
 */
export function resolveInputs(
  definition: Definition,
  given: Record<string, string> | undefined,
  diags: Diagnostics,
): ResolvedInputs {
  const declared = new Map(definition.inputs.map((i) => [i.name, i]));
  for (const name of Object.keys(given ?? {})) {
    if (!declared.has(name)) {
      const known = [...declared.keys()];
      const hint = known.length ? `declared: ${known.join(', ')}` : 'the file declares no inputs';
      diags.error(
        definition.inputsPos,
        scope('inputs', name),
        `value given for undeclared input "${name}" (${hint})`,
      );
    }
  }
  const values: Record<string, string | number> = {};
  const vars = new Map<string, { value: string | number; text: string; pos: Pos; trust?: Trust }>();
  const result: ResolvedInputs = {
    values,
    layer: { vars, describe: (n) => `input "${n}"` },
    secretInputs: [],
    secrets: [],
  };
  for (const input of definition.inputs) {
    const givenValue = given && Object.hasOwn(given, input.name) ? given[input.name] : undefined;
    const raw = givenValue === undefined || givenValue === null ? undefined : String(givenValue);
    let value: string | number = input.default ?? (input.type === 'number' ? 0 : '');
    if (raw !== undefined && input.type === 'number') {
      const number = parseNumber(raw);
      if (number === null)
        diags.error(
          input.pos,
          scope('inputs', input.name),
          `input "${input.name}" must be a number, got "${raw}"`,
        );
      else value = number;
    } else if (raw !== undefined && input.type === 'choice' && !input.values.includes(raw)) {
      diags.error(
        input.pos,
        scope('inputs', input.name),
        `input "${input.name}" must be one of ${input.values.join(', ')}, got "${raw}"`,
      );
    } else if (raw !== undefined) value = raw;
    values[input.name] = value;
    vars.set(input.name, {
      value,
      text: typeof value === 'number' && raw !== undefined ? raw.trim() : String(value),
      pos: input.pos,
      // A value given by the trigger (not the file's default) is chosen by whoever starts the build.
      ...(raw === undefined ? {} : { trust: 'forge' as const }),
    });
    if (input.type === 'password') {
      result.secretInputs.push(input.name);
      if (value !== '') result.secrets.push(String(value));
    }
  }
  return result;
}
