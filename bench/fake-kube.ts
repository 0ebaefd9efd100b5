// The fake Kubernetes API server's own costs, so runtime benchmarks can tell its share from theirs:
// start-up time, and for N instant pods (`echo x`) created one after another through the real
// client: create → terminated seen on a watch (median, p95), and the scripted ErrImagePull delay.
// Run by hand:  . scripts/use-node.sh && node bench/fake-kube.ts [pods]
import { CoreV1Api, KubeConfig, type V1Pod, Watch } from '@kubernetes/client-node';
import { startFakeKube } from '../test/support/fake-kube/index.ts';

const pods = Number(process.argv[2] ?? 50);

const startedAt = performance.now();
const fake = await startFakeKube();
const startup = performance.now() - startedAt;
const config = new KubeConfig();
config.loadFromFile(fake.kubeconfigPath);
const api = config.makeApiClient(CoreV1Api);

const waiters = new Map<string, (pod: V1Pod) => boolean>();
const watch = await new Watch(config).watch(
  '/api/v1/namespaces/default/pods',
  {},
  (_type, pod: V1Pod) => {
    const name = pod.metadata?.name ?? '';
    if (waiters.get(name)?.(pod)) waiters.delete(name);
  },
  () => {},
);

/** Create a pod and resolve with the ms until `done(pod)` is seen on the watch. */
async function timeUntil(name: string, image: string, done: (pod: V1Pod) => boolean): Promise<number> {
  const begin = performance.now();
  const seen = new Promise<number>((resolve) => {
    waiters.set(name, (pod) => {
      if (!done(pod)) return false;
      resolve(performance.now() - begin);
      return true;
    });
  });
  const container = { name: 'main', image, command: ['sh', '-c', 'echo x'] };
  await api.createNamespacedPod({
    namespace: 'default',
    body: { metadata: { name }, spec: { restartPolicy: 'Never', containers: [container] } },
  });
  return seen;
}

const terminated = (pod: V1Pod) => pod.status?.containerStatuses?.[0]?.state?.terminated !== undefined;
const pullError = (pod: V1Pod) =>
  pod.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull';
const lifecycles: number[] = [];
for (let index = 0; index < pods; index++)
  lifecycles.push(await timeUntil(`instant-${index}`, 'alpine', terminated));
const pulls: number[] = [];
for (let index = 0; index < 10; index++)
  pulls.push(await timeUntil(`pull-${index}`, 'x/does-not-exist', pullError));
watch.abort();
const requests = fake.requests.length;
await fake.close();

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * p)] ?? 0;
console.log(`start-up: ${startup.toFixed(1)} ms`);
console.log(
  `instant pod, create → terminated on the watch (${pods} pods): median ${percentile(lifecycles, 0.5).toFixed(1)} ms, p95 ${percentile(lifecycles, 0.95).toFixed(1)} ms`,
);
console.log(
  `scripted ErrImagePull, create → waiting ErrImagePull: median ${percentile(pulls, 0.5).toFixed(1)} ms`,
);
console.log(`requests served: ${requests}`);
