import type { BuildPlan, PlannedMount, PlannedStep } from '../pipeline/index.ts';

const MASK = '***';

/** Replaces every secret value inside a text with `***`. */
export function maskSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret) out = out.replaceAll(secret, MASK);
  }
  return out;
}

/** A plan as JSON with secret values masked (the list of secrets included, masked). */
export function planJson(plan: BuildPlan): string {
  return maskSecrets(
    JSON.stringify(plan, null, 2),
    plan.secrets.map((s) => JSON.stringify(s).slice(1, -1)),
  );
}

/** The plan for humans: stages (runs-if), steps, image, what each runs, env, secrets, mounts. */
export function renderPlan(plan: BuildPlan, file: string, runtime: string): string {
  const lines = [`Plan for ${file}`];
  lines.push(`  runtime:     ${runtime}`);
  lines.push(`  environment: ${plan.environment ?? '(none)'}`);
  const inputs = Object.entries(plan.inputs).map(
    ([k, v]) => `${k}=${plan.secretInputs.includes(k) ? MASK : v}`,
  );
  if (inputs.length) lines.push(`  inputs:      ${inputs.join(', ')}`);
  const c = plan.concurrency;
  if (c) {
    const cancels = c.cancelInProgress ? ', cancel-in-progress' : '';
    lines.push(`  concurrency: ${c.group} (limit ${c.limit}${cancels})`);
  }
  if (plan.stages.length === 0) lines.push('', `Nothing to run: ${plan.nothingRuns ?? 'no stage runs'}.`);
  for (const stage of plan.stages) {
    lines.push('', `stage ${stage.name} (runs if: ${stage.runsIf})`);
    for (const step of stage.steps) lines.push(...renderStep(step));
  }
  return `${maskSecrets(lines.join('\n'), plan.secrets)}\n`;
}

function renderStep(step: PlannedStep): string[] {
  const lines = [`  step ${step.name} [${step.type}]`, `    image:   ${step.image}`];
  const [program = '', ...args] = step.command;
  const script = program.endsWith('sh') && args[0] === '-c' && args.length === 2 ? args[1] : undefined;
  if (script !== undefined) {
    lines.push(`    runs:    ${program} -c`);
    for (const line of script.split('\n')) lines.push(`             | ${line}`);
  } else lines.push(`    runs:    ${step.command.map(quoteArg).join(' ')}`);
  lines.push(`    workdir: ${step.workingDir}`);
  const env = Object.entries(step.env).map(([k, v]) => `${k}=${v}`);
  if (env.length) lines.push(`    env:     ${env.join(' ')}`);
  for (const s of step.secretEnv) lines.push(`    secret:  ${s.name} ← secret ${s.secretName} key ${s.key}`);
  for (const s of step.envFromSecrets) lines.push(`    secret:  all keys of secret ${s} as env`);
  for (const m of step.mounts) lines.push(`    mount:   ${m.mountPath} ← ${describeMount(m)}`);
  lines.push(`    account: ${step.serviceAccount ?? '(none, no token mounted)'}`);
  if (step.source.kind === 'files') {
    const files = step.source.files.map((f) => `${f.path}${f.substitute ? ' (variables substituted)' : ''}`);
    lines.push(`    source:  ${files.length ? files.join(', ') : '(no files)'}`);
  } else lines.push('    source:  the working tree');
  return lines;
}

function describeMount(m: PlannedMount): string {
  const keys = m.items ? ` (${m.items.map((i) => `${i.key} as ${i.path}`).join(', ')})` : '';
  return `${m.kind === 'secret' ? 'secret' : 'config map'} ${m.source}${keys}${m.optional ? ', if it exists' : ''}`;
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
