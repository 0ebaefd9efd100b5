import type { Trust, VariableScope } from './variables.ts';

/** `${name}`: any character but `}` in the name, spaces around it trimmed. */
const TOKEN = /\$\{([^}]*)\}/g;
const WHOLE = /^\$\{([^}]*)\}$/;
/** `${%name%}` is the escape for a literal `${name}`. */
const ESCAPE = /^%(.*)%$/s;

/** How far substitution may go: a file cannot make Berth build strings without bound. */
export interface SubstitutionLimits {
  /** Longest value (in UTF-16 units) one variable or one scalar may grow to. */
  valueLength: number;
  /** Most text substitution may produce for one plan, all values together. */
  totalLength: number;
  /** Deepest chain of variables whose values use further variables. */
  depth: number;
}

/** 1 MiB per value, 16 MiB per file, 64 levels: far beyond any real pipeline. */
export const SUBSTITUTION_LIMITS: SubstitutionLimits = Object.freeze({
  valueLength: 1024 * 1024,
  totalLength: 16 * 1024 * 1024,
  depth: 64,
});

/** A problem met while substituting one `${…}` use. */
export interface SubstitutionIssue {
  /** `too-large`: past a length limit; `too-deep`: past the depth limit. */
  kind: 'undefined' | 'loop' | 'too-large' | 'too-deep';
  /** For undefined: the name; for loop: the chain `a → b → a`; for the limits: what was exceeded. */
  name: string;
  /** Variable whose value held the failing reference, if not the use itself. */
  via: string | null;
  /** For the limits: where `via` comes from (`.wharf-vars.yml`, `environment "prod" (3:5)`, …). */
  origin?: string;
}

/** The outcome of substituting one `${…}` use (or a whole text). */
export interface Substituted {
  value: string | number | boolean;
  text: string;
  /** Where the variables used came from, e.g. `"env" from environment "prod" (3:5)`. */
  origins: string[];
  issues: SubstitutionIssue[];
  /** The least trusted source of the variables used, when any is from outside the repository. */
  trust?: Trust;
}

/** One `${…}` occurrence in a text: where it is and what it became. */
export interface TokenUse extends Substituted {
  index: number;
  length: number;
}

/**
 * Substitutes variables, recursively, detecting loops and stopping at `limits` (a
 * variable past them keeps its `${…}` text and reports an issue). Pure: problems are
 * returned, not thrown.
 */
export class Substituter {
  readonly #scope: VariableScope;
  readonly #limits: SubstitutionLimits;
  readonly #cache = new Map<string, Substituted>();
  /** Text produced so far, against limits.totalLength. */
  #produced = 0;

  constructor(scope: VariableScope, limits: SubstitutionLimits = SUBSTITUTION_LIMITS) {
    this.#scope = scope;
    this.#limits = limits;
  }

  /** Substitutes a whole text. A text that is exactly one `${var}` takes the variable's type. */
  text(text: string): { result: Substituted; uses: TokenUse[] } {
    const uses = [...text.matchAll(TOKEN)].map((m) => ({
      ...this.#token(m[1] ?? '', m[0], []),
      index: m.index,
      length: m[0].length,
    }));
    if (uses.length === 0) return { result: { value: text, text, origins: [], issues: [] }, uses };
    const only = uses[0];
    if (uses.length === 1 && only && WHOLE.test(text)) {
      const issue = only.issues.length === 0 ? this.#spend(only.text.length) : null;
      if (!issue) return { result: only, uses };
      return { result: { value: text, text, origins: only.origins, issues: [issue] }, uses };
    }
    const joined = this.#join(text, uses);
    const issues = uses.flatMap((u) => u.issues);
    if (joined.issue) issues.push(joined.issue);
    const origins = unique(uses.flatMap((u) => u.origins));
    const result = withTrust(
      { value: joined.text, text: joined.text, origins, issues },
      leastTrusted(uses.map((u) => u.trust)),
    );
    return { result, uses };
  }

  /** The fully substituted value of a variable, or undefined when it does not exist. */
  variable(name: string): Substituted | undefined {
    return this.#scope.get(name) ? this.#resolve(name, []) : undefined;
  }

  #token(inner: string, raw: string, stack: string[]): Substituted {
    const escaped = ESCAPE.exec(inner);
    if (escaped) {
      const literal = `\${${escaped[1]}}`;
      return { value: literal, text: literal, origins: [], issues: [] };
    }
    const name = inner.trim();
    if (stack.includes(name)) {
      const chain = [...stack.slice(stack.indexOf(name)), name].join(' → ');
      return { value: raw, text: raw, origins: [], issues: [{ kind: 'loop', name: chain, via: null }] };
    }
    if (!this.#scope.get(name)) {
      return { value: raw, text: raw, origins: [], issues: [{ kind: 'undefined', name, via: null }] };
    }
    return this.#resolve(name, stack);
  }

  #resolve(name: string, stack: string[]): Substituted {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    const variable = this.#scope.get(name);
    if (!variable) return { value: '', text: '', origins: [], issues: [] };
    const origin = `"${name}" from ${variable.origin}`;
    // What the forge or a trigger supplies is text: a branch named `${PASSWORD}` stays that.
    if (typeof variable.value !== 'string' || !variable.value.includes('${') || variable.trust === 'forge') {
      const plain: Substituted = {
        value: variable.value,
        text: variable.text,
        origins: [origin],
        issues: [],
      };
      return withTrust(plain, variable.trust);
    }
    if (stack.length >= this.#limits.depth) {
      const chain = `${this.#limits.depth} levels deep (${stack[0]} → … → ${name})`;
      const issue: SubstitutionIssue = { kind: 'too-deep', name: chain, via: null };
      return { value: ref(name), text: ref(name), origins: [], issues: [issue] };
    }
    const inner = this.#inner(variable.value, [...stack, name]);
    // Past a limit, the use stays `${name}`: the values using it do not grow further.
    const limited = inner.issues.some((issue) => issue.kind === 'too-large' || issue.kind === 'too-deep');
    const result: Substituted = {
      ...inner,
      ...(limited ? { value: ref(name), text: ref(name) } : {}),
      origins: unique([origin, ...inner.origins]),
      issues: inner.issues.map((i) => (i.via ? i : { ...i, via: name, origin: variable.origin })),
    };
    const trust = leastTrusted([inner.trust, variable.trust]);
    if (trust) result.trust = trust;
    // Cached with its issues too: a variable used many times is resolved once, so a
    // file cannot make the work grow exponentially (a loop or a limit met deep down).
    this.#cache.set(name, result);
    return result;
  }

  #inner(text: string, stack: string[]): Substituted {
    const whole = WHOLE.exec(text);
    if (whole) return this.#token(whole[1] ?? '', text, stack);
    const uses = [...text.matchAll(TOKEN)].map((m) => ({
      ...this.#token(m[1] ?? '', m[0], stack),
      index: m.index,
      length: m[0].length,
    }));
    const joined = this.#join(text, uses);
    const issues = uniqueIssues([...uses.flatMap((u) => u.issues), ...(joined.issue ? [joined.issue] : [])]);
    const origins = unique(uses.flatMap((u) => u.origins));
    return withTrust(
      { value: joined.text, text: joined.text, origins, issues },
      leastTrusted(uses.map((u) => u.trust)),
    );
  }

  /**
   * `text` with each use replaced, unless that would pass the value or total length
   * limit: then the text stays as written (`${…}`) with a `too-large` issue.
   */
  #join(text: string, uses: TokenUse[]): { text: string; issue: SubstitutionIssue | null } {
    let length = text.length;
    for (const use of uses) length += use.text.length - use.length;
    const issue = this.#spend(length);
    if (issue) return { text, issue };
    let out = '';
    let last = 0;
    for (const use of uses) {
      out += text.slice(last, use.index) + use.text;
      last = use.index + use.length;
    }
    return { text: out + text.slice(last), issue: null };
  }

  /** Counts `length` produced characters, or the issue when that passes a limit (nothing counted). */
  #spend(length: number): SubstitutionIssue | null {
    const { valueLength, totalLength } = this.#limits;
    if (length > valueLength) return { kind: 'too-large', name: `${size(valueLength)} per value`, via: null };
    if (this.#produced + length > totalLength)
      return { kind: 'too-large', name: `${size(totalLength)} for the whole file`, via: null };
    this.#produced += length;
    return null;
  }
}

/** `forge` over `outside` over none. */
function leastTrusted(levels: Array<Trust | undefined>): Trust | undefined {
  if (levels.includes('forge')) return 'forge';
  return levels.includes('outside') ? 'outside' : undefined;
}

function withTrust(sub: Substituted, trust: Trust | undefined): Substituted {
  if (trust) sub.trust = trust;
  return sub;
}

/** Most origins a value keeps for its messages: a chain thousands deep names only its first links. */
const ORIGINS = 8;

function unique(items: string[]): string[] {
  const kept = new Set<string>();
  for (const item of items) {
    kept.add(item);
    if (kept.size === ORIGINS) break;
  }
  return [...kept];
}

/** Each issue once: a variable used twice must not double what it reports at every level. */
function uniqueIssues(issues: SubstitutionIssue[]): SubstitutionIssue[] {
  const seen = new Map<string, SubstitutionIssue>();
  for (const issue of issues) seen.set(`${issue.kind}\0${issue.name}\0${issue.via ?? ''}`, issue);
  return [...seen.values()];
}

const size = (length: number): string =>
  length % (1024 * 1024) === 0 ? `${length / (1024 * 1024)} MiB` : `${length} characters`;

/** The text `${name}`: a reference to a variable (defaults such as `${REG_URL}`). */
export function ref(name: string): string {
  return `\${${name}}`;
}

/** A file's contents would grow past the limit once its variables are substituted. */
export class SubstitutionLimitError extends Error {
  constructor(limit: number, file?: string) {
    super(
      `${file ? `file "${file}"` : 'the file'} grows past ${size(limit)} once its variables are substituted`,
    );
    this.name = 'SubstitutionLimitError';
  }
}

/**
 * Substitutes `${name}` in file contents (helm/kubectl `files`) with already
 * resolved variables (BuildPlan.variables). Unknown names stay as they are. Throws
 * SubstitutionLimitError rather than build a text longer than `maxLength`.
 */
export function substituteText(
  text: string,
  variables: Record<string, string>,
  file?: string,
  maxLength = SUBSTITUTION_LIMITS.totalLength,
): string {
  let length = text.length;
  return text.replace(TOKEN, (raw, inner: string) => {
    const escaped = ESCAPE.exec(inner);
    const name = inner.trim();
    const value = escaped
      ? `\${${escaped[1]}}`
      : Object.hasOwn(variables, name)
        ? (variables[name] as string)
        : raw;
    length += value.length - raw.length;
    if (length > maxLength) throw new SubstitutionLimitError(maxLength, file);
    return value;
  });
}
