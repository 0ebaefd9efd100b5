/**
 * First SIGINT / SIGTERM aborts `controller` (the command cleans up and exits);
 * a second one exits at once with 130. Returns a function removing the handlers.
 */
export function abortOnSignals(controller: AbortController, stderr: NodeJS.WritableStream): () => void {
  const onSignal = () => {
    if (controller.signal.aborted) {
      stderr.write('berth: exiting now, without waiting for the cleanup\n');
      process.exit(130);
    }
    stderr.write('berth: stopping and cleaning up (press Ctrl-C again to force)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
