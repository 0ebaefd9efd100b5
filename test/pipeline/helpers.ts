import type { Diagnostic, PlanOptions } from '../../src/pipeline/index.ts';
import { formatDiagnostic, planFromText } from '../../src/pipeline/index.ts';

/** Tool images as a test configuration would set them. */
export const images = {
  kaniko: 'kaniko:test',
  helm: 'alpine/helm:3.16.2',
  kubectl: 'kubectl:test',
  dotnet: 'dotnet:test',
};

/** Build variables of a typical checkout. */
export const buildVars = {
  BUILD_REF: '17',
  GIT_COMMIT: 'abc123',
  GIT_BRANCH: 'feature/x',
  REPO_GROUP: 'acme',
  REPO_NAME: 'shop',
};

/** Dedents a template so YAML in tests can be indented with the code (`\${x}` writes a literal `${x}`). */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const joined = strings.reduce(
    (text, part, i) => text + part + (i < values.length ? String(values[i]) : ''),
    '',
  );
  const text = joined.replace(/^\n/, '');
  const indent = Math.min(
    ...text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => /^ */.exec(l)?.[0].length ?? 0),
  );
  return text
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n');
}

/** Plans a text with test images and build variables (overridable). */
export function plan(text: string, options: Partial<PlanOptions> = {}) {
  return planFromText(text, { file: 'ci.yml', images, buildVars, ...options });
}

/** The diagnostics as `LINE:COL severity: message [path]` lines. */
export function lines(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => formatDiagnostic(d).replace(/^ci\.yml:/, ''));
}

/** Only the errors, as lines. */
export function errors(diagnostics: Diagnostic[]): string[] {
  return lines(diagnostics.filter((d) => d.severity === 'error'));
}

/** The one step of a plan that has one. */
export function onlyStep(text: string, options: Partial<PlanOptions> = {}) {
  const result = plan(text, options);
  const step = result.plan?.stages[0]?.steps[0];
  if (!step) throw new Error(`no step planned: ${lines(result.diagnostics).join('\n')}`);
  return { step, diagnostics: result.diagnostics };
}
