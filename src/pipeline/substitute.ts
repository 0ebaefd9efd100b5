import type { VariableScope } from './variables.ts';

/** `${name}`: any character but `}` in the name, spaces around it trimmed. */
const TOKEN = /\$\{([^}]*)\}/g;
const WHOLE = /^\$\{([^}]*)\}$/;
/** `${%name%}` is the escape for a literal `${name}`. */
const ESCAPE = /^%(.*)%$/s;

/** A problem met while substituting one `${…}` use. */
export interface SubstitutionIssue {
  kind: 'undefined' | 'loop';
  /** For undefined: the name; for loop: the chain `a → b → a`. */
  name: string;
  /** Variable whose value held the failing reference, if not the use itself. */
  via: string | null;
}

/** The outcome of substituting one `${…}` use (or a whole text). */
export interface Substituted {
  value: string | number | boolean;
  text: string;
  /** Where the variables used came from, e.g. `"env" from environment "prod" (3:5)`. */
  origins: string[];
  issues: SubstitutionIssue[];
}

/** One `${…}` occurrence in a text: where it is and what it became. */
export interface TokenUse extends Substituted {
  index: number;
  length: number;
}

/** Substitutes variables, recursively, detecting loops. Pure: problems are returned, not thrown. */
export class Substituter {
  readonly #scope: VariableScope;
  readonly #cache = new Map<string, Substituted>();

  constructor(scope: VariableScope) {
    this.#scope = scope;
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
    if (uses.length === 1 && only && WHOLE.test(text)) return { result: only, uses };
    let out = '';
    let last = 0;
    for (const use of uses) {
      out += text.slice(last, use.index) + use.text;
      last = use.index + use.length;
    }
    out += text.slice(last);
    const result = {
      value: out,
      text: out,
      origins: uses.flatMap((u) => u.origins),
      issues: uses.flatMap((u) => u.issues),
    };
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
    if (typeof variable.value !== 'string' || !variable.value.includes('${')) {
      return { value: variable.value, text: variable.text, origins: [origin], issues: [] };
    }
    const inner = this.#inner(variable.value, [...stack, name]);
    const result: Substituted = {
      ...inner,
      origins: [origin, ...inner.origins],
      issues: inner.issues.map((i) => ({ ...i, via: i.via ?? name })),
    };
    if (result.issues.length === 0) this.#cache.set(name, result);
    return result;
  }

  #inner(text: string, stack: string[]): Substituted {
    const whole = WHOLE.exec(text);
    if (whole) return this.#token(whole[1] ?? '', text, stack);
    const origins: string[] = [];
    const issues: SubstitutionIssue[] = [];
    const out = text.replace(TOKEN, (raw, inner: string) => {
      const sub = this.#token(inner, raw, stack);
      origins.push(...sub.origins);
      issues.push(...sub.issues);
      return sub.text;
    });
    return { value: out, text: out, origins, issues };
  }
}

/** The text `${name}`: a reference to a variable (defaults such as `${REG_URL}`). */
export function ref(name: string): string {
  return `\${${name}}`;
}

/**
 * Substitutes `${name}` in file contents (helm/kubectl `files`) with already
 * resolved variables (BuildPlan.variables). Unknown names stay as they are.
 */
export function substituteText(text: string, variables: Record<string, string>): string {
  return text.replace(TOKEN, (raw, inner: string) => {
    const escaped = ESCAPE.exec(inner);
    if (escaped) return `\${${escaped[1]}}`;
    const name = inner.trim();
    return Object.hasOwn(variables, name) ? (variables[name] as string) : raw;
  });
}
