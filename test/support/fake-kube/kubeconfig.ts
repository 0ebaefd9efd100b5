/**
 * A kubeconfig pointing at `url` with token auth, its current context named `context`
 * (default `fake`) with `namespace` (default `default`; null: the context names none).
 */
export function kubeconfigYaml(
  url: string,
  { context = 'fake', namespace = 'default' }: { context?: string; namespace?: string | null } = {},
): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster:
      server: ${url}
      insecure-skip-tls-verify: true
users:
  - name: fake
    user:
      token: fake-token
contexts:
  - name: ${context}
    context:
      cluster: fake
      user: fake
${namespace === null ? '' : `      namespace: ${namespace}\n`}current-context: ${context}
`;
}
