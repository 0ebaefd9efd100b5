/** A follower's place (release it when the follow ends), or the cap that is reached. */
export type FollowerSlot = { ok: true; release(): void } | { ok: false; limit: 'process' | 'build' };

/** Counts the logs this process follows, in all and per build, against their caps. */
export class FollowerLimits {
  readonly #caps: { perProcess: number; perBuild: number };
  readonly #perBuild = new Map<string, number>();
  #total = 0;

  constructor(caps: { perProcess: number; perBuild: number }) {
    this.#caps = caps;
  }

  /** Followers now, in all. */
  get total(): number {
    return this.#total;
  }

  take(buildId: string): FollowerSlot {
    const of = this.#perBuild.get(buildId) ?? 0;
    if (of >= this.#caps.perBuild) return { ok: false, limit: 'build' };
    if (this.#total >= this.#caps.perProcess) return { ok: false, limit: 'process' };
    this.#total++;
    this.#perBuild.set(buildId, of + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#total--;
        const left = (this.#perBuild.get(buildId) ?? 1) - 1;
        if (left > 0) this.#perBuild.set(buildId, left);
        else this.#perBuild.delete(buildId);
      },
    };
  }
}
