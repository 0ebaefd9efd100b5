// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
// Parse and plan time of a generated 5,000-step .wharf-ci.yml (median of several runs).
// Run: node bench/parse.ts [steps] [runs]
import { performance } from 'node:perf_hooks';
import { parseAllDocuments } from 'yaml';
import { parseDefinition, planBuild } from '../src/pipeline/index.ts';

const steps = Number(process.argv[2] ?? 5000);
const runs = Number(process.argv[3] ?? 7);
const images = { kaniko: 'kaniko', helm: 'helm', kubectl: 'kubectl', dotnet: 'dotnet' };

/** 50 stages of container/docker/helm/kubectl steps with variables, an environment and an anchor. */
function generate(count: number): string {
  const lines = ['environments:', '  prod:', '    namespace: shop-prod', '    replicas: 3', ''];
  const perStage = Math.ceil(count / 50);
  for (let i = 0; i < count; i++) {
    if (i % perStage === 0) lines.push(`stage-${i / perStage}:`);
    const kind = i % 4;
    if (kind === 0) {
      lines.push(`  step-${i}:`, '    container:', '      image: golang:1.22', '      cmds:');
      lines.push(
        `        - go test ./pkg/${i}/... -run Test${i}`,
        '        - echo ${GIT_COMMIT} ${BUILD_REF}',
      );
    } else if (kind === 1) {
      lines.push(
        `  step-${i}:`,
        '    docker:',
        `      file: images/${i}/Dockerfile`,
        '      tag: ${GIT_COMMIT},latest',
      );
      lines.push('      args:', '        - VERSION=${BUILD_REF}');
    } else if (kind === 2) {
      lines.push(
        `  step-${i}:`,
        '    helm:',
        `      chart: chart-${i}`,
        `      name: app-${i}`,
        '      namespace: ${namespace}',
      );
      lines.push('      set:', '        replicas: ${replicas}', '      files: [values.yaml]');
    } else {
      lines.push(
        `  step-${i}:`,
        '    kubectl:',
        `      file: k8s/${i}.yaml`,
        '      namespace: ${namespace}',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const text = generate(steps);
const buildVars = { BUILD_REF: '1', GIT_COMMIT: 'abc', REPO_GROUP: 'acme', REPO_NAME: 'shop' };
const configuredVars = { REG_URL: 'registry.test', CHART_REPO: 'https://charts.test' };
const parseTimes: number[] = [];
const planTimes: number[] = [];
const yamlTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const parsed = parseDefinition(text, { file: 'bench.yml' });
  const t1 = performance.now();
  if (!parsed.definition) throw new Error(`generated file does not parse: ${parsed.diagnostics[0]?.message}`);
  const result = planBuild(parsed.definition, {
    file: 'bench.yml',
    images,
    environment: 'prod',
    buildVars,
    configuredVars,
  });
  const t2 = performance.now();
  const planned = result.plan.stages.reduce((n, s) => n + s.steps.length, 0);
  if (planned !== steps || result.diagnostics.length > 0)
    throw new Error(`planned ${planned} steps, ${result.diagnostics.length} diagnostics`);
  const t3 = performance.now();
  parseAllDocuments(text, { uniqueKeys: false, merge: true });
  yamlTimes.push(performance.now() - t3);
  parseTimes.push(t1 - t0);
  planTimes.push(t2 - t1);
}
const kb = (Buffer.byteLength(text) / 1024).toFixed(0);
console.log(`${steps} steps (${kb} KiB), median of ${runs} runs on Node ${process.version}:`);
console.log(
  `  parse ${median(parseTimes).toFixed(1)} ms (the yaml library alone: ${median(yamlTimes).toFixed(1)} ms)`,
);
console.log(`  plan  ${median(planTimes).toFixed(1)} ms`);
console.log(`  total ${(median(parseTimes) + median(planTimes)).toFixed(1)} ms`);
