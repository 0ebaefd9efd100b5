import type { Diagnostic } from './types.ts';

/** GCC style, which editors and CI annotators understand: `FILE:LINE:COL: error: MESSAGE`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.path ? ` [${d.path}]` : '';
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}${where}`;
}
