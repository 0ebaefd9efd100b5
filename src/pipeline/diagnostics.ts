import type { Pos } from './definition.ts';
import type { Diagnostic } from './types.ts';

/** Collects diagnostics for one file; nothing here throws. */
export class Diagnostics {
  readonly file: string;
  readonly items: Diagnostic[] = [];

  constructor(file: string) {
    this.file = file;
  }

  error(pos: Pos, path: string, message: string): void {
    this.items.push({ severity: 'error', file: this.file, line: pos.line, col: pos.col, path, message });
  }

  warning(pos: Pos, path: string, message: string): void {
    this.items.push({ severity: 'warning', file: this.file, line: pos.line, col: pos.col, path, message });
  }
}

/** The first position of a file. */
export const START: Pos = { line: 1, col: 1 };

/** Sorted by file, line and column; equal positions keep their order. */
export function sortDiagnostics(items: Diagnostic[]): Diagnostic[] {
  return [...items].sort((a, b) =>
    a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1,
  );
}

/** Drops repeats of the same problem at the same place (lint plans several times). */
export function uniqueDiagnostics(items: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return items.filter((d) => {
    const key = `${d.file}\0${d.line}\0${d.col}\0${d.severity}\0${d.path}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `--strict`: every warning becomes an error. */
export function strictDiagnostics(items: Diagnostic[], strict: boolean | undefined): Diagnostic[] {
  return strict ? items.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' } : d)) : items;
}

/** True when any diagnostic is an error. */
export function hasErrors(items: Diagnostic[]): boolean {
  return items.some((d) => d.severity === 'error');
}

/** Joins scope path segments with `/`, skipping empty ones. */
export function scope(...parts: Array<string | number>): string {
  return parts.filter((p) => p !== '').join('/');
}
