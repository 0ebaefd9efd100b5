import type { Pos, ScalarNode } from './definition.ts';
import type { Diagnostics } from './diagnostics.ts';
import { posAt } from './positions.ts';
import { isShellName, isShellPlain, quoteStates } from './shell.ts';
import type { Substituted, Substituter, SubstitutionIssue, TokenUse } from './substitute.ts';

/** Whether a scalar holds a `${var}` use (its value is known only once variables are). */
export const holdsVariable = (node: ScalarNode): node is ScalarNode & { value: string } =>
  typeof node.value === 'string' && node.value.includes('${');

/** Substitutes `${var}`s in the file's scalars, reporting each problem where the variable is used. */
export class ScalarValues {
  readonly subst: Substituter;
  readonly #diags: Diagnostics;
  readonly #lineStarts: number[];
  /** Limit issues already reported, by kind, variable and what was passed. */
  readonly #reported = new Set<string>();

  constructor(subst: Substituter, diags: Diagnostics, lineStarts: number[]) {
    this.subst = subst;
    this.#diags = diags;
    this.#lineStarts = lineStarts;
  }

  /** The scalar's value with variables substituted (a lone `${var}` keeps the variable's type). */
  of(node: ScalarNode, path: string): Substituted {
    if (!holdsVariable(node)) return { value: node.value ?? '', text: node.text, origins: [], issues: [] };
    const { result, uses } = this.subst.text(node.value);
    for (const use of uses) this.report(use.issues, this.#usePos(node, use), path, null);
    const own = result.issues.filter((issue) => !uses.some((use) => use.issues.includes(issue)));
    this.report(own, node.pos, path, null);
    return result;
  }

  /**
   * A line of a sh script (`cmds`): like `of`, except that a variable whose value comes
   * from outside the repository and is not plain text is not pasted into the script,
   * where sh would run it as code: the script expands it, `${NAME}` (inside '…':
   * `'"${NAME}"'`), from an environment variable the step gets (`env`). A forge-controlled
   * variable outside double quotes is a warning (sh splits it into words and expands globs).
   */
  script(node: ScalarNode, path: string, env: Record<string, string>): string {
    if (!holdsVariable(node)) return node.text;
    const raw = node.value;
    const { result, uses } = this.subst.text(raw);
    for (const use of uses) this.report(use.issues, this.#usePos(node, use), path, null);
    const own = result.issues.filter((issue) => !uses.some((use) => use.issues.includes(issue)));
    this.report(own, node.pos, path, null);
    if (own.length > 0 || !uses.some((use) => use.trust)) return result.text;
    const states = quoteStates(raw);
    let out = '';
    let last = 0;
    for (const use of uses) {
      out += raw.slice(last, use.index);
      last = use.index + use.length;
      const token = raw.slice(use.index, use.index + use.length);
      const name = token.slice(2, -1).trim();
      const state = states[use.index] ?? 'none';
      if (use.trust === 'forge' && state === 'none')
        this.#diags.warning(
          this.#usePos(node, use),
          path,
          `"${token}" comes from the forge and is not in double quotes: sh splits it into words and expands * and ?; write "${token}"`,
        );
      if (!use.trust || isShellPlain(use.text)) {
        out += use.text;
        continue;
      }
      const envName = isShellName(name) ? name : `BERTH_VAR_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
      env[envName] = use.text;
      out += state === 'single' ? `'"\${${envName}}"'` : `\${${envName}}`;
    }
    return out + raw.slice(last);
  }

  /**
   * Undefined variables are warnings (the text is kept), loops and limits errors. A
   * limit passed inside a variable's value is reported once, where first met.
   */
  report(issues: Substituted['issues'], pos: Pos, path: string, context: string | null): void {
    for (const issue of issues) {
      const where = [issue.via ? `in the value of "${issue.via}"` : '', context ? `in the ${context}` : '']
        .filter(Boolean)
        .join(', ');
      const suffix = where ? ` (${where})` : '';
      if (issue.kind === 'loop')
        this.#diags.error(pos, path, `recursive variable loop: ${issue.name}${suffix}`);
      else if (issue.kind === 'undefined')
        this.#diags.warning(pos, path, `undefined variable "${issue.name}"${suffix}; the text is kept as is`);
      else if (this.#firstReport(issue)) this.#diags.error(pos, path, limitMessage(issue, context));
    }
  }

  #firstReport(issue: SubstitutionIssue): boolean {
    const key = `${issue.kind}\0${issue.via ?? ''}\0${issue.name}`;
    if (issue.via === null || !this.#reported.has(key)) {
      this.#reported.add(key);
      return true;
    }
    return false;
  }

  /** Where a `${…}` use sits in the file: the same occurrence in the scalar's source, else the scalar's start. */
  #usePos(node: ScalarNode, use: TokenUse): Pos {
    const value = String(node.value);
    const raw = value.slice(use.index, use.index + use.length);
    const at = nthIndexOf(node.source, raw, countBefore(value, raw, use.index));
    return at === -1 ? node.pos : posAt(this.#lineStarts, node.offset + at);
  }
}

/** How many times `needle` occurs in `text` before offset `end`. */
function countBefore(text: string, needle: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf(needle); i !== -1 && i < end; i = text.indexOf(needle, i + 1)) count++;
  return count;
}

/** Offset of the `n`th (0-based) occurrence of `needle` in `text`, or -1. */
function nthIndexOf(text: string, needle: string, n: number): number {
  let at = text.indexOf(needle);
  for (let k = 0; k < n && at !== -1; k++) at = text.indexOf(needle, at + 1);
  return at;
}

/** The error for a substitution limit, naming the variable and the limit. */
function limitMessage(issue: SubstitutionIssue, context: string | null): string {
  const where = context ? ` in the ${context}` : '';
  if (issue.kind === 'too-deep')
    return `variables nest more than ${issue.name}${where}; the text is kept as is`;
  const from = issue.origin ? ` (${issue.origin})` : '';
  const what = issue.via ? `the value of "${issue.via}"${from}` : 'this text';
  return `${what} grows past ${issue.name} once its variables are substituted${where}; the text is kept as is`;
}
