import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, lines, onlyStep, plan, yaml } from './helpers.ts';

const registry = { configuredVars: { REG_URL: 'registry.test', CHART_REPO: 'https://charts.test' } };

describe('container', () => {
  it('joins cmds into one script run by the shell in the image, in the repo', () => {
    const { step } = onlyStep(yaml`
      build:
        compile:
          container:
            image: golang:1.22
            shell: /bin/bash
            cmds:
              - go vet ./...
              - |
                go build \\
                  -o app
    `);
    assert.equal(step.image, 'golang:1.22');
    assert.deepEqual(step.command, ['/bin/bash', '-c', 'go vet ./...\ngo build \\\n  -o app\n']);
    assert.equal(step.repoDir, '/mnt/repo');
    assert.equal(step.workingDir, '/mnt/repo');
    assert.deepEqual(step.source, { kind: 'repo' });
    assert.equal(step.os, 'linux');
  });

  it('defaults shell to /bin/sh and runs with no service account unless one is asked for', () => {
    const plain = onlyStep('b:\n  s:\n    container: {image: a, cmds: [x]}\n').step;
    assert.deepEqual(plain.command.slice(0, 2), ['/bin/sh', '-c']);
    assert.equal(plain.serviceAccount, null);
    const asked = onlyStep('b:\n  s:\n    container: {image: a, cmds: [x], serviceAccount: deployer}\n').step;
    assert.equal(asked.serviceAccount, 'deployer');
  });

  it('references secretName as envFrom and mounts CA certificates, never inline values', () => {
    const { step } = onlyStep(
      'b:\n  s:\n    container: {image: a, cmds: [x], secretName: db-creds, certificatesMountPath: /etc/ssl/extra}\n',
    );
    assert.deepEqual(step.envFromSecrets, ['db-creds']);
    assert.deepEqual(step.mounts, [
      {
        name: 'certificates',
        kind: 'configMap',
        source: 'ca-certificates-config',
        mountPath: '/etc/ssl/extra',
        readOnly: true,
      },
    ]);
  });

  it('rejects an os other than linux', () => {
    const result = plan('b:\n  s:\n    container: {image: a, cmds: [x], os: windows}\n');
    assert.deepEqual(errors(result.diagnostics), [
      '3:42: error: os "windows" is not supported: Berth runs Linux containers only [b/s/container/os]',
    ]);
  });
});

describe('docker', () => {
  it('builds with kaniko and pushes one destination per tag; empty tag parts are dropped', () => {
    const { step } = onlyStep(
      yaml`
        build:
          shop:
            docker:
              file: deploy/Dockerfile
              context: src
              tag: \${GIT_COMMIT},\${GIT_TAG}, latest,
              args:
                - VERSION=\${BUILD_REF}
      `,
      {
        ...registry,
        buildVars: { GIT_COMMIT: 'abc', GIT_TAG: '', BUILD_REF: '5', REPO_GROUP: 'acme', REPO_NAME: 'shop' },
      },
    );
    assert.equal(step.image, 'kaniko:test');
    assert.deepEqual(step.command, [
      '/kaniko/executor',
      '--dockerfile',
      '/mnt/repo/deploy/Dockerfile',
      '--context',
      '/mnt/repo/src',
      '--build-arg',
      'VERSION=5',
      '--destination',
      'registry.test/acme/shop:abc',
      '--destination',
      'registry.test/acme/shop:latest',
    ]);
  });

  it('names the image after the step when it differs from the repository, and honours name/group/registry/destination', () => {
    const base = 'b:\n  api:\n    docker:\n      file: Dockerfile\n      tag: v1\n';
    const dest = (extra: string) => onlyStep(base + extra, registry).step.command.at(-1);
    assert.equal(dest(''), 'registry.test/acme/shop/api:v1');
    assert.equal(dest('      name: shop\n'), 'registry.test/acme/shop:v1');
    assert.equal(dest('      group: other\n      registry: r.example\n'), 'r.example/other/shop/api:v1');
    assert.equal(dest('      destination: quay.io/me/app\n'), 'quay.io/me/app:v1');
  });

  it('mounts the registry secret for kaniko: secret, else REG_SECRET, else gitlab-registry', () => {
    const base = 'b:\n  s:\n    docker:\n      file: Dockerfile\n      tag: v1\n';
    const secret = (extra: string, vars = {}) =>
      onlyStep(base + extra, { configuredVars: { REG_URL: 'r', ...vars } }).step.mounts.find(
        (m) => m.mountPath === '/kaniko/.docker',
      );
    assert.equal(secret('')?.source, 'gitlab-registry');
    assert.equal(secret('', { REG_SECRET: 'regcred' })?.source, 'regcred');
    assert.deepEqual(secret('      secret: mine\n'), {
      name: 'registry-auth',
      kind: 'secret',
      source: 'mine',
      mountPath: '/kaniko/.docker',
      items: [{ key: '.dockerconfigjson', path: 'config.json' }],
      readOnly: true,
      optional: true,
    });
  });

  it('adds --no-push when push is false and --insecure when REG_INSECURE is true', () => {
    const text = 'b:\n  s:\n    docker: {file: Dockerfile, tag: v1, push: false}\n';
    const { step } = onlyStep(text, { configuredVars: { REG_URL: 'r', REG_INSECURE: 'true' } });
    assert.ok(step.command.includes('--no-push'));
    assert.ok(step.command.includes('--insecure'));
    assert.ok(!onlyStep(text, registry).step.command.includes('--insecure'));
  });

  it('Berth: accepts WHARF_VAR_REG_INSECURE=true although it is a string', () => {
    const text = 'b:\n  s:\n    docker: {file: Dockerfile, tag: v1}\n';
    const result = plan(text, { ...registry, wharfVars: { REG_INSECURE: 'true' } });
    assert.deepEqual(errors(result.diagnostics), []);
    assert.ok(result.plan?.stages[0]?.steps[0]?.command.includes('--insecure'));
    const bad = plan(text, { ...registry, wharfVars: { REG_INSECURE: 'maybe' } });
    assert.deepEqual(errors(bad.diagnostics), [
      '3:5: error: REG_INSECURE must be a boolean, got "maybe" (value of "REG_INSECURE" from WHARF_VAR_REG_INSECURE) [b/s/docker]',
    ]);
  });

  it('passes secretArgs as --build-arg NAME with the value from a secret key', () => {
    const text = yaml`
      b:
        s:
          docker:
            file: Dockerfile
            tag: v1
            secretName: npm
            secretArgs: [NPM_TOKEN=token]
    `;
    const { step } = onlyStep(text, registry);
    assert.deepEqual(step.command.slice(5, 7), ['--build-arg', 'NPM_TOKEN']);
    assert.deepEqual(step.secretEnv, [
      { name: 'NPM_TOKEN', secretName: 'npm', key: 'token', optional: true },
    ]);
    assert.ok(!JSON.stringify(step).includes('"value"'));
  });

  it('rejects badly formed secretArgs and one of secretName/secretArgs without the other', () => {
    const text = yaml`
      b:
        a:
          docker: {file: D, tag: v1, secretName: s, secretArgs: [NOEQUALS, =key, ARG=]}
        b:
          docker: {file: D, tag: v1, secretName: s}
        c:
          docker: {file: D, tag: v1, secretArgs: [A=b]}
    `;
    assert.deepEqual(
      errors(plan(text, registry).diagnostics).map((l) => l.replace(/^\d+:\d+: error: /, '')),
      [
        `invalid secret format: missing '=', expected 'ARG=secret-key': "NOEQUALS" [b/a/docker/secretArgs]`,
        `invalid secret format: empty 'ARG', expected 'ARG=secret-key': "=key" [b/a/docker/secretArgs]`,
        `invalid secret format: empty 'secret-key', expected 'ARG=secret-key': "ARG=" [b/a/docker/secretArgs]`,
        'found "secretName" but "secretArgs" is missing [b/b/docker/secretName]',
        'found "secretArgs" but "secretName" is missing [b/c/docker/secretArgs]',
      ],
    );
  });

  it('appends CA certificates by default for groups starting with "default", as the original', () => {
    const text = 'b:\n  s:\n    docker: {file: D, tag: v1}\n';
    const certs = (group: string) =>
      onlyStep(text, { ...registry, buildVars: { REPO_GROUP: group, REPO_NAME: 'shop' } }).step.mounts.some(
        (m) => m.source === 'ca-certificates-config',
      );
    assert.equal(certs('default-team'), true);
    assert.equal(certs('acme'), false);
    assert.equal(
      onlyStep(text.replace('tag: v1', 'tag: v1, append-cert: true'), registry).step.mounts.length,
      2,
    );
  });

  it('reports a tag that leaves no tags', () => {
    const result = plan('b:\n  s:\n    docker: {file: D, tag: " , ,"}\n', registry);
    assert.deepEqual(errors(result.diagnostics), [
      '3:28: error: "tag" resolved to zero tags: " , ," [b/s/docker/tag]',
    ]);
  });

  it('warns at the step when the default destination needs variables that are not set', () => {
    const result = plan('b:\n  s:\n    docker: {file: D, tag: v1}\n', { buildVars: {} });
    assert.deepEqual(lines(result.diagnostics), [
      '3:5: warning: undefined variable "REG_URL" (in the default of "registry"); the text is kept as is [b/s/docker/registry]',
      '3:5: warning: undefined variable "REPO_GROUP" (in the default of "group"); the text is kept as is [b/s/docker/group]',
      '3:5: warning: undefined variable "REPO_NAME" (in the default of "destination"); the text is kept as is [b/s/docker/destination]',
    ]);
  });
});

describe('helm', () => {
  const deploy = yaml`
    deploy:
      app:
        helm:
          chart: shop
          name: shop-\${env}
          namespace: shop
          chartVersion: 1.2.3
          set:
            image.tag: \${BUILD_REF}
            replicas: 2
          files: [deploy/values.yaml, deploy/prod.yaml]
  `;

  it('runs helm upgrade --install with repo, version, --set (Berth fix) and values files', () => {
    const { step } = onlyStep(deploy, {
      ...registry,
      buildVars: { BUILD_REF: '9', REPO_GROUP: 'acme' },
      inputs: {},
    });
    assert.equal(step.image, 'alpine/helm:3.16.2');
    assert.deepEqual(step.command.slice(0, 2), ['/bin/sh', '-c']);
    const script = step.command[2] ?? '';
    assert.match(
      script,
      /^set -- upgrade --install 'shop-\$\{env\}' shop --namespace shop --repo https:\/\/charts\.test\/acme --version 1\.2\.3 --set image\.tag=9 --set replicas=2 -f deploy\/values\.yaml -f deploy\/prod\.yaml$/m,
    );
    assert.match(script, /exec helm "\$@"/);
    assert.deepEqual(step.tools, ['helm']);
  });

  it('gets only its values files, with variables substituted, and the kubeconfig of "cluster"', () => {
    const { step } = onlyStep(deploy.replace('files:', 'cluster: prod-cluster\n      files:'), registry);
    assert.deepEqual(step.source, {
      kind: 'files',
      files: [
        { path: 'deploy/values.yaml', substitute: true },
        { path: 'deploy/prod.yaml', substitute: true },
      ],
    });
    assert.deepEqual(step.mounts, [
      {
        name: 'kubeconfig',
        kind: 'configMap',
        source: 'prod-cluster',
        mountPath: '/root/.kube',
        readOnly: true,
      },
    ]);
    assert.equal(step.env.KUBECONFIG, '/root/.kube/config');
    assert.equal(onlyStep(deploy, registry).step.mounts[0]?.source, 'kubectl-config');
  });

  it('mounts the chart repository secret by reference', () => {
    const { step } = onlyStep(deploy, {
      configuredVars: { ...registry.configuredVars, HELM_REG_SECRET: 'charts-auth' },
    });
    assert.deepEqual(step.mounts[1], {
      name: 'helm-repo-auth',
      kind: 'secret',
      source: 'charts-auth',
      mountPath: '/var/run/berth/helm-repo',
      readOnly: true,
      optional: true,
    });
  });

  it('maps repo "stage" to the old stable repository, with a warning', () => {
    const result = plan('d:\n  s:\n    helm: {chart: c, name: n, namespace: x, repo: stage}\n');
    assert.match(
      result.plan?.stages[0]?.steps[0]?.command[2] ?? '',
      /--repo https:\/\/kubernetes-charts\.storage\.googleapis\.com/,
    );
    assert.match(lines(result.diagnostics).join(), /warning: repo "stage" means/);
  });

  it('uses an OCI repository as a chart reference and helmVersion as the image tag', () => {
    const text =
      'd:\n  s:\n    helm: {chart: shop, name: s, namespace: n, repo: "oci://ghcr.io/acme", helmVersion: v3.14.0}\n';
    const { step } = onlyStep(text);
    assert.match(step.command[2] ?? '', /upgrade --install s oci:\/\/ghcr\.io\/acme\/shop --namespace n\n/);
    assert.equal(step.image, 'alpine/helm:3.14.0');
    const old = plan(text.replace('v3.14.0', 'v2.14.1'));
    assert.equal(old.plan?.stages[0]?.steps[0]?.image, 'alpine/helm:3.16.2');
    assert.match(lines(old.diagnostics).join(), /helmVersion "v2.14.1" is Helm 2/);
  });
});

describe('helm-package', () => {
  it('Berth: packages the repo root when chart-path is not given', () => {
    const { step } = onlyStep('p:\n  chart:\n    helm-package: {}\n', registry);
    assert.match(step.command[2] ?? '', /^helm package \. --destination "\$out"$/m);
    assert.equal(step.image, 'alpine/helm:3.16.2');
    assert.deepEqual(step.source, { kind: 'repo' });
  });

  it('passes version and chart-path', () => {
    const text =
      'p:\n  chart:\n    helm-package: {chart-path: charts/shop, version: 1.0.0, destination: d}\n';
    assert.match(
      onlyStep(text).step.command[2] ?? '',
      /^helm package charts\/shop --destination "\$out" --version 1\.0\.0$/m,
    );
  });
});

describe('kubectl', () => {
  it('runs kubectl ACTION [--force] -n NS -f FILE on files then file', () => {
    const text = yaml`
      d:
        s:
          kubectl:
            files: [k8s/a.yaml, k8s/b.yaml]
            file: k8s/c.yaml
            namespace: shop
            action: replace
            force: true
            cluster: prod
    `;
    const { step } = onlyStep(text);
    assert.equal(step.image, 'kubectl:test');
    assert.deepEqual(step.command, [
      'kubectl',
      'replace',
      '--force',
      '-n',
      'shop',
      '-f',
      'k8s/a.yaml',
      '-f',
      'k8s/b.yaml',
      '-f',
      'k8s/c.yaml',
    ]);
    assert.equal(step.mounts[0]?.source, 'prod');
    assert.deepEqual(step.source, {
      kind: 'files',
      files: ['k8s/a.yaml', 'k8s/b.yaml', 'k8s/c.yaml'].map((path) => ({ path, substitute: true })),
    });
  });

  it('normalises file paths and refuses ones outside the repository', () => {
    assert.deepEqual(onlyStep('d:\n  s:\n    kubectl: {file: ./k8s/../m.yaml}\n').step.source, {
      kind: 'files',
      files: [{ path: 'm.yaml', substitute: true }],
    });
    const result = plan('d:\n  s:\n    kubectl: {files: [../secret.yaml, /etc/passwd]}\n');
    assert.deepEqual(errors(result.diagnostics), [
      '3:22: error: "../secret.yaml" is outside the repository: use a path relative to its root [d/s/kubectl/files]',
      '3:22: error: "/etc/passwd" is outside the repository: use a path relative to its root [d/s/kubectl/files]',
    ]);
  });

  it('defaults to apply without a namespace', () => {
    assert.deepEqual(onlyStep('d:\n  s:\n    kubectl: {file: m.yaml}\n').step.command, [
      'kubectl',
      'apply',
      '-f',
      'm.yaml',
    ]);
  });
});

describe('nuget-package', () => {
  it('Berth: packs with the version set, then pushes with skip-duplicate and the API key from a secret', () => {
    const text =
      'p:\n  lib:\n    nuget-package: {version: 1.2.3-beta, project-path: src/Lib/Lib.csproj, repo: "https://nuget.test/v3/index.json", skip-duplicate: true}\n';
    const { step } = onlyStep(text);
    assert.equal(step.image, 'dotnet:test');
    const script = step.command[2] ?? '';
    assert.match(
      script,
      /dotnet pack src\/Lib\/Lib\.csproj --configuration Release --output "\$out" -p:PackageVersion=1\.2\.3-beta/,
    );
    assert.match(
      script,
      /dotnet nuget push "\$out"\/\*\.nupkg --source https:\/\/nuget\.test\/v3\/index\.json --api-key "\$\{NUGET_TOKEN:-\}" --skip-duplicate$/,
    );
    assert.deepEqual(step.secretEnv, [
      { name: 'NUGET_TOKEN', secretName: 'nuget-token', key: 'token', optional: true },
    ]);
  });
});
