/** One parsed Server-Sent Event. */
export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

/** Reads SSE events from `url` until `stop(events)` or the stream ends; then aborts. */
export async function readSse(
  url: string,
  headers: Record<string, string>,
  stop: (events: SseEvent[]) => boolean,
): Promise<SseEvent[]> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = parse(block);
        if (event) events.push(event);
        if (stop(events)) return events;
        cut = buffer.indexOf('\n\n');
      }
    }
    return events;
  } finally {
    controller.abort();
  }
}

function parse(block: string): SseEvent | null {
  const event: SseEvent = { id: null, event: 'message', data: '' };
  let any = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const [field, ...rest] = line.split(':');
    const value = rest.join(':').replace(/^ /, '');
    any = true;
    if (field === 'id') event.id = value;
    else if (field === 'event') event.event = value;
    else if (field === 'data') event.data += value;
  }
  return any ? event : null;
}
