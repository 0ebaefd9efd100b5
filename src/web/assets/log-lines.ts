// The lines of one step's log held in the browser, with the ANSI style each line starts in.
import { PLAIN, type SgrState, sgrAfter } from './ansi.ts';

/** A growing step log. Lines are kept as text; HTML is built only for visible rows. */
export interface LogLines {
  readonly texts: string[];
  /** Style at the start of each line (shared objects: costs a pointer per line). */
  readonly starts: SgrState[];
  /** Which lines are Berth's own notes (`system` stream). */
  readonly system: Set<number>;
  push(text: string, isSystem: boolean): void;
}

/** An empty step log. */
export function createLogLines(): LogLines {
  const texts: string[] = [];
  const starts: SgrState[] = [];
  const system = new Set<number>();
  let style = PLAIN;
  return {
    texts,
    starts,
    system,
    push(text, isSystem) {
      if (isSystem) system.add(texts.length);
      texts.push(text);
      starts.push(isSystem ? PLAIN : style);
      if (!isSystem) style = sgrAfter(text, style);
    },
  };
}
