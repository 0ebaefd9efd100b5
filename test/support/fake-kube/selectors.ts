import { badRequest } from './status.ts';
import type { KubeObject } from './types.ts';

/** A compiled label or field selector: true when the object matches. */
export type Selector = (object: KubeObject) => boolean;

type Requirement = (labels: Record<string, string>) => boolean;

/** Parse a label selector (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`). */
export function parseLabelSelector(text: string | null): Selector {
  if (!text) return () => true;
  const requirements = splitTopLevel(text).map(parseRequirement);
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return requirements.every((requirement) => requirement(labels));
  };
}

function parseRequirement(raw: string): Requirement {
  const text = raw.trim();
  const set = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = new Set(list.split(',').map((value) => value.trim()));
    return op === 'in'
      ? (labels) => labels[key] !== undefined && values.has(labels[key])
      : (labels) => labels[key] === undefined || !values.has(labels[key]);
  }
  const compare = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(text);
  if (compare) {
    const [, key = '', op, value = ''] = compare;
    return op === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  const exists = /^(!?)([\w./-]+)$/.exec(text);
  if (exists) {
    const [, not, key = ''] = exists;
    return not ? (labels) => labels[key] === undefined : (labels) => labels[key] !== undefined;
  }
  throw badRequest(`unable to parse requirement: found '${text}', expected: in, notin, =, ==, !=, gt, lt`);
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.filter((part) => part.trim() !== '');
}

/** Parse a field selector (`k=v`, `k==v`, `k!=v`) over the fields a resource supports. */
export function parseFieldSelector(text: string | null, supported: readonly string[]): Selector {
  if (!text) return () => true;
  const requirements = splitTopLevel(text).map((raw) => {
    const match = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(raw.trim());
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${raw}'`);
    const [, field = '', op, value = ''] = match;
    if (!supported.includes(field)) throw badRequest(`field label not supported: ${field}`);
    return (object: KubeObject) => (fieldValue(object, field) === value) !== (op === '!=');
  });
  return (object) => requirements.every((requirement) => requirement(object));
}

function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[part];
  }
  return current === undefined || current === null ? '' : String(current);
}
