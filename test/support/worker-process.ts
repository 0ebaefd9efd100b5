// A build worker in its own process, for kill and cross-process tests.
// env: REDIS_URL, SHUTDOWN_MS; with KUBECONFIG the real plan-and-run runner on the
// Kubernetes runtime (BERTH_NAMESPACE), with LOCAL_RUNNER=1 the real one on the
// local runtime, else the scripted runner. LOCK_MS and STALLED_MS set the lock and
// stalled-check intervals; BUSY_MS holds the event loop that long, again and again,
// with IDLE_MS between (a worker that is healthy but busy).
// Prints "ready" once it takes jobs.
import { testStack, testWorker } from './queue-harness.ts';

const stack = testStack(process.env.REDIS_URL ?? '');
const kube = process.env.KUBECONFIG ? await import('./kube-runner.ts') : null;
const local = process.env.LOCAL_RUNNER === '1' ? await import('./local-runner.ts') : null;
const runner = kube ? await kube.kubePlanAndRun(process.env) : local?.localPlanAndRun();
const ms = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const [lockDurationMs, stalledIntervalMs, busyMs] = [ms('LOCK_MS'), ms('STALLED_MS'), ms('BUSY_MS')];
const worker = await testWorker(stack, {
  ...(runner ? { runner } : {}),
  ...(lockDurationMs ? { lockDurationMs } : {}),
  ...(stalledIntervalMs ? { stalledIntervalMs } : {}),
});
if (busyMs) {
  const hold = () => {
    const until = Date.now() + busyMs;
    while (Date.now() < until);
    setTimeout(hold, ms('IDLE_MS') ?? 100).unref();
  };
  setTimeout(hold, ms('IDLE_MS') ?? 100).unref();
}
process.stdout.write('ready\n');
const stop = async () => {
  await worker.close(Number(process.env.SHUTDOWN_MS ?? 1000));
  await stack.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
