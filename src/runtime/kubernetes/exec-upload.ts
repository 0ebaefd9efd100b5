import { Readable, Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import type { ApiRequestCounter } from './api.ts';
import { uploadScript } from './pod-spec.ts';

type Socket = Awaited<ReturnType<Exec['exec']>>;

export interface UploadOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  pod: string;
  container: string;
  archive: Buffer;
  /** Where to extract, inside the container. */
  targetDir: string;
  signal: AbortSignal;
  count: ApiRequestCounter;
}

/**
 * Streams the archive into the init container over one exec and marks the source ready.
 * The remote reads exactly `archive.length` bytes (`head -c`), so it never depends on
 * stdin being closed, which the v4 exec protocol cannot signal without closing the socket;
 * stdin is a stream that only flows once the socket is open, so nothing is lost before that.
 */
export async function uploadArchive(options: UploadOptions): Promise<void> {
  const script = uploadScript(options.archive.length);
  const stdin = new Readable({ read() {} });
  stdin.push(options.archive);
  let stderr = '';
  const errors = new Writable({
    write(chunk, _encoding, callback) {
      if (stderr.length < 4096) stderr += String(chunk);
      callback();
    },
  });
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  let socket: Socket | null = null;
  try {
    const status = await new Promise<V1Status>((resolve, reject) => {
      const abort = () => reject(new Error('source upload aborted'));
      options.signal.addEventListener('abort', abort, { once: true });
      options.count('exec');
      new Exec(options.kubeConfig)
        .exec(
          options.namespace,
          options.pod,
          options.container,
          ['sh', '-c', script, options.targetDir],
          sink,
          errors,
          stdin,
          false,
          resolve,
        )
        .then((ws) => {
          socket = ws;
          ws.addEventListener('close', () =>
            reject(new Error('the exec connection closed without a status')),
          );
          if (options.signal.aborted) ws.close();
        }, reject);
    });
    if (status.status !== 'Success') {
      throw new Error(
        `source upload failed: ${status.message ?? status.reason ?? 'unknown'} ${stderr}`.trim(),
      );
    }
  } finally {
    stdin.destroy();
    (socket as Socket | null)?.close();
  }
}
