import { DEFINITION_FILE, type InputType, parseDefinition } from '../../pipeline/index.ts';
import type { RepoRefs, UserForge } from '../access/types.ts';

/** One field of the start form. Password inputs never carry a default back to the browser. */
export interface StartInput {
  name: string;
  type: InputType;
  default: string | null;
  /** Allowed values (choice inputs). */
  values: string[];
}

/** What the start form offers for one repository at one ref (`GET /api/start-options`). */
export interface StartOptions {
  source: string;
  ref: string;
  refType: 'branch' | 'tag';
  refs: RepoRefs;
  environments: string[];
  inputs: StartInput[];
  /** Why the pipeline could not be read at this ref, or null. */
  problem: string | null;
}

/**
 * Branches and tags of the repository, and the environments and inputs its
 * `.wharf-ci.yml` declares at `ref` (the default branch when null), read with the
 * signed-in user's own token.
 */
export async function readStartOptions(
  forge: UserForge,
  token: string,
  repo: string,
  ref: string | null,
  signal: AbortSignal,
): Promise<StartOptions> {
  const refs = await forge.refs(token, repo, signal);
  const chosen = ref ?? refs.defaultBranch ?? refs.branches[0] ?? 'main';
  const refType = refs.tags.includes(chosen) && !refs.branches.includes(chosen) ? 'tag' : 'branch';
  const base = { source: `${forge.name}:${repo}`, ref: chosen, refType, refs } as const;
  const text = await forge.file(token, repo, chosen, DEFINITION_FILE, signal);
  if (text === null)
    return { ...base, environments: [], inputs: [], problem: `there is no ${DEFINITION_FILE} at ${chosen}` };
  const { definition } = parseDefinition(text, { file: DEFINITION_FILE });
  if (!definition)
    return {
      ...base,
      environments: [],
      inputs: [],
      problem: `${DEFINITION_FILE} at ${chosen} cannot be read`,
    };
  const inputs = definition.inputs.map((input) => ({
    name: input.name,
    type: input.type,
    default: input.type === 'password' || input.default === undefined ? null : String(input.default),
    values: input.values,
  }));
  return { ...base, environments: [...definition.environments.keys()], inputs, problem: null };
}

/** Names of the password inputs the pipeline declares at `ref` (none when it cannot be read). */
export async function passwordInputs(
  forge: UserForge,
  token: string,
  repo: string,
  ref: string,
  signal: AbortSignal,
): Promise<string[]> {
  const text = await forge.file(token, repo, ref, DEFINITION_FILE, signal);
  const definition = text === null ? null : parseDefinition(text, { file: DEFINITION_FILE }).definition;
  return (definition?.inputs ?? []).filter((i) => i.type === 'password').map((i) => i.name);
}
