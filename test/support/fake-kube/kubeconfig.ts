/** A kubeconfig with one context `fake` pointing at `url`, namespace `default`, token auth. */
export function kubeconfigYaml(url: string): string {
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
  - name: fake
    context:
      cluster: fake
      user: fake
      namespace: default
current-context: fake
`;
}
