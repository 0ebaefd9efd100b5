import { PassThrough } from 'node:stream';
import { CoreV1Api, KubeConfig, Log, type LogOptions, type V1Pod } from '@kubernetes/client-node';
import type { FakeKube } from './index.ts';

/** A real client-node config and CoreV1Api pointing at a fake. */
export function clientFor(fake: FakeKube): { config: KubeConfig; api: CoreV1Api } {
  const config = new KubeConfig();
  config.loadFromFile(fake.kubeconfigPath);
  return { config, api: config.makeApiClient(CoreV1Api) };
}

/** A minimal pod with one container running `sh -c script`. */
export function shellPod(name: string, script: string, extra: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    metadata: { name, labels: { app: 'fake-kube-test' } },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'alpine:3', command: ['sh', '-c', script] }],
      ...extra,
    },
  };
}

/** Resolve once the fake holds a pod satisfying `predicate`. */
export async function waitForPod(
  fake: FakeKube,
  name: string,
  predicate: (pod: V1Pod) => boolean,
): Promise<V1Pod> {
  let found: V1Pod | undefined;
  await fake.waitFor(() => {
    found = fake.pods().find((pod) => pod.metadata?.name === name && predicate(pod));
    return found !== undefined;
  });
  return found as V1Pod;
}

/** The terminated state of a pod's main container, once there. */
export function terminatedOf(pod: V1Pod, container = 'main') {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses.find((status) => status.name === container)?.state?.terminated;
}

/** Read a container log to its end through the real Log client. */
export async function readLog(config: KubeConfig, pod: string, container: string, options: LogOptions = {}) {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (chunk) => {
    text += chunk;
  });
  const ended = new Promise((resolve) => sink.on('end', resolve));
  await new Log(config).log('default', pod, container, sink, options);
  await ended;
  return text;
}
