/** One captured line with its kubelet timestamp (nanoseconds since the epoch). */
export interface LogLine {
  ns: bigint;
  text: string;
}

const origin = BigInt(Math.round(performance.timeOrigin * 1000)) * 1000n;

/** A container's captured stdout/stderr, kept until the pod is deleted; followers see new lines live. */
export class ContainerLog {
  readonly lines: LogLine[] = [];
  ended = false;
  private readonly partial = new Map<string, string>();
  private readonly followers = new Set<() => void>();
  private lastNs = 0n;

  /** Append a chunk from one stream; complete lines are stored, a trailing partial line waits. */
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const text = (this.partial.get(stream) ?? '') + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial.set(stream, parts.pop() ?? '');
    for (const part of parts) this.push(`${part}\n`);
  }

  /** The container ended: flush partial lines and release followers. */
  end(): void {
    if (this.ended) return;
    for (const rest of this.partial.values()) if (rest !== '') this.push(rest);
    this.partial.clear();
    this.ended = true;
    this.notify();
  }

  /** Be called after every new line and at the end; returns the unsubscribe function. */
  follow(listener: () => void): () => void {
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }

  private push(text: string): void {
    let ns = origin + BigInt(Math.round(performance.now() * 1000)) * 1000n;
    if (ns <= this.lastNs) ns = this.lastNs + 1n;
    this.lastNs = ns;
    this.lines.push({ ns, text });
    this.notify();
  }

  private notify(): void {
    for (const listener of this.followers) listener();
  }
}

/** Go's RFC3339Nano (trailing zeros of the fraction trimmed), as the kubelet prefixes log lines. */
export function formatNano(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${base}${fraction ? `.${fraction}` : ''}Z`;
}
