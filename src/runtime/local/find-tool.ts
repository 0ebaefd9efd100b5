import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/** Whether `tool` is an executable on `path` (a PATH value) or, if absolute, exists as one. */
export async function isOnPath(tool: string, path: string): Promise<boolean> {
  const candidates = isAbsolute(tool)
    ? [tool]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, tool));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return true;
    } catch {}
  }
  return false;
}
