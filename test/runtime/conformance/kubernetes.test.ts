import { NAMESPACE, startHarness } from '../kubernetes/harness.ts';
import { conformance } from './suite.ts';

conformance({
  name: 'kubernetes (fake API server)',
  unavailable: null,
  cannot: {
    'separate-streams': "the pod log API interleaves a container's stdout and stderr into one stream",
  },
  async start(t, instance) {
    const harness = await startHarness(t, { instance });
    return {
      runtime: harness.runtime,
      image: 'busybox:1.37',
      missingImage: 'registry.example/does-not-exist:1',
      userImage: 'berth.test/nonroot',
      leftovers: async () => harness.fake.pods(NAMESPACE).map((pod) => pod.metadata?.name ?? '?'),
    };
  },
});
