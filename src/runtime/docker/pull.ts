import type Dockerode from 'dockerode';
import type { AuthConfig } from 'dockerode';
import type { StepOutput } from '../../logs/types.ts';
import { engineMessage } from './engine-api.ts';

interface Progress {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Statuses repeated for every chunk of a layer: only the first of each layer is logged. */
const CHATTY = new Set(['Downloading', 'Extracting', 'Waiting', 'Copying blob']);

/**
 * Pulls `image`, writing the engine's progress to the step log (one line per status
 * change of each layer). Resolves null when done, or the engine's message when the
 * pull failed: the first error in the progress stream ends it at once, without
 * waiting for the stream to close.
 */
export async function pullImage(
  docker: Dockerode,
  image: string,
  auth: AuthConfig | null,
  output: StepOutput,
  signal: AbortSignal,
  count: () => void,
): Promise<string | null> {
  output.line('system', `pulling image ${image}`);
  let stream: NodeJS.ReadableStream;
  try {
    count();
    stream = (await docker.pull(image, {
      ...(auth ? { authconfig: auth } : {}),
      abortSignal: signal,
    })) as NodeJS.ReadableStream;
  } catch (error) {
    return engineMessage(error);
  }
  return new Promise((resolve) => {
    let buffer = '';
    let settled = false;
    const said = new Set<string>();
    const finish = (problem: string | null) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      (stream as unknown as { destroy(): void }).destroy();
      resolve(problem);
    };
    const onAbort = () => finish('the pull was stopped');
    signal.addEventListener('abort', onAbort, { once: true });
    const line = (text: string) => {
      if (!text.trim()) return;
      let event: Progress;
      try {
        event = JSON.parse(text) as Progress;
      } catch {
        return;
      }
      const problem = event.errorDetail?.message ?? event.error;
      if (problem) return finish(problem);
      if (!event.status) return;
      const key = `${event.id ?? ''} ${event.status}`;
      if (CHATTY.has(event.status) ? said.has(key) : false) return;
      said.add(key);
      output.line('system', event.id ? `${event.id}: ${event.status}` : event.status);
    };
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        line(buffer.slice(0, end));
        buffer = buffer.slice(end + 1);
      }
    });
    stream.on('end', () => {
      line(buffer);
      finish(null);
    });
    stream.on('close', () => finish(null));
    stream.on('error', (error: Error) => finish(engineMessage(error)));
  });
}
