/**
 * Parsers for environment variables: each takes the raw value (undefined when
 * unset) and returns the typed value or throws FieldError. Plain functions instead
 * of a schema library, so every command starts without loading one (~30 ms).
 */
export type Field<T> = (raw: string | undefined) => T;

/** A bad value; `path` names the part of a JSON value that is wrong. */
export class FieldError extends Error {
  readonly path: string[];
  constructor(message: string, path: string[] = []) {
    super(message);
    this.path = path;
  }
}

export function text(): Field<string | undefined>;
export function text(fallback: string): Field<string>;
export function text(fallback?: string): Field<string | undefined> {
  return (raw) => raw ?? fallback;
}

/** A string of at least `min` characters. */
export const longText =
  (min: number, message: string): Field<string | undefined> =>
  (raw) => {
    if (raw !== undefined && raw.length < min) throw new FieldError(message);
    return raw;
  };

/** A string matching `pattern`. */
export const matching =
  (pattern: RegExp, fallback: string): Field<string> =>
  (raw) => {
    if (raw === undefined) return fallback;
    if (!pattern.test(raw)) throw new FieldError(`must match ${pattern}`);
    return raw;
  };

/** A URL (surrounding space, tabs and newlines dropped). */
export function url(): Field<string | undefined>;
export function url(fallback: string): Field<string>;
export function url(fallback?: string): Field<string | undefined> {
  return (raw) => {
    if (raw === undefined) return fallback;
    const trimmed = raw.trim();
    if (!URL.canParse(trimmed)) throw new FieldError('is not a valid URL');
    return trimmed.replace(/[\t\n\r]/g, '');
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Field<T | undefined>;
export function oneOf<const T extends string>(values: readonly T[], fallback: T): Field<T>;
export function oneOf<const T extends string>(values: readonly T[], fallback?: T): Field<T | undefined> {
  return (raw) => {
    if (raw === undefined) return fallback;
    if (!(values as readonly string[]).includes(raw)) {
      throw new FieldError(`must be one of ${values.map((v) => `"${v}"`).join(', ')}`);
    }
    return raw as T;
  };
}

interface NumberRule {
  fallback: number;
  integer?: boolean;
  /** Greater than zero. */
  positive?: boolean;
  min?: number;
  max?: number;
}

/** A number (an empty value counts as 0, as Number('') does). */
export const number =
  (rule: NumberRule): Field<number> =>
  (raw) => {
    if (raw === undefined) return rule.fallback;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new FieldError(`must be a number, got "${raw}"`);
    if (rule.integer && !Number.isSafeInteger(value)) throw new FieldError('must be a whole number');
    if (rule.positive && value <= 0) throw new FieldError('must be greater than 0');
    if (rule.min !== undefined && value < rule.min) throw new FieldError(`must be at least ${rule.min}`);
    if (rule.max !== undefined && value > rule.max) throw new FieldError(`must be at most ${rule.max}`);
    return value;
  };

export const positiveInt = (fallback: number) => number({ fallback, integer: true, positive: true });

/** Minutes (fractions allowed) as milliseconds. */
export const minutes = (fallback: number): Field<number> => {
  const parse = number({ fallback, positive: true });
  return (raw) => Math.round(parse(raw) * 60_000);
};

/** Seconds (fractions allowed) as milliseconds. */
export const seconds = (fallback: number): Field<number> => {
  const parse = number({ fallback, positive: true });
  return (raw) => Math.round(parse(raw) * 1000);
};

/** Seconds as milliseconds, or undefined when unset (the default is decided later). */
export const optionalSeconds = (): Field<number | undefined> => {
  const parse = seconds(1);
  return (raw) => (raw === undefined ? undefined : parse(raw));
};

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/** true/1/yes/on or false/0/no/off; unset or empty is `fallback`. */
export const flag =
  (fallback: boolean): Field<boolean> =>
  (raw) => {
    if (raw === undefined || raw === '') return fallback;
    if (TRUE.includes(raw)) return true;
    if (FALSE.includes(raw)) return false;
    throw new FieldError(`must be one of ${[...TRUE, ...FALSE].join(', ')}`);
  };

/** Words separated by commas or white space. */
export const list = (): Field<string[]> => (raw) => (raw ? raw.split(/[,\s]+/).filter(Boolean) : []);

/** `host:port` pairs separated by commas or spaces (Redis sentinels, cluster nodes). */
export const hostPorts = (): Field<Array<{ host: string; port: number }>> => (raw) =>
  list()(raw).map((item) => {
    const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(item);
    const port = Number(match?.[2]);
    if (!match?.[1] || port < 1 || port > 65535) throw new FieldError(`"${item}" is not host:port`);
    return { host: match[1].replace(/^\[|\]$/g, ''), port };
  });

/** Folders separated by colons. */
export const paths = (): Field<string[]> => (raw) => (raw ? raw.split(':').filter(Boolean) : []);

/** JSON checked by `check` (which throws FieldError); unset or empty is undefined. */
export const json =
  <T>(check: (value: unknown) => T): Field<T | undefined> =>
  (raw) => {
    if (!raw) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new FieldError('is not valid JSON');
    }
    return check(value);
  };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON object whose values are all strings. */
export function stringMap(value: unknown, path: string[] = []): Record<string, string> {
  if (!isObject(value)) throw new FieldError('must be an object', path);
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner !== 'string') throw new FieldError('must be a string', [...path, key]);
  }
  return value as Record<string, string>;
}

/** A JSON array of objects. */
export function objectList(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw new FieldError('must be an array');
  value.forEach((item, i) => {
    if (!isObject(item)) throw new FieldError('must be an object', [String(i)]);
  });
  return value as Record<string, unknown>[];
}

/** `{ requests?, limits? }`, each a map of strings; other keys are dropped. */
export function podResources(value: unknown) {
  if (!isObject(value)) throw new FieldError('must be an object');
  const out: { requests?: Record<string, string>; limits?: Record<string, string> } = {};
  for (const key of ['requests', 'limits'] as const) {
    if (value[key] !== undefined) out[key] = stringMap(value[key], [key]);
  }
  return out;
}

const BYTE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A size such as 512m or 2g (k, m, g = KiB, MiB, GiB; case-insensitive) in bytes; unset is null. */
export const byteSize = (): Field<number | null> => (raw) => {
  if (raw === undefined || raw === '') return null;
  const match = /^(\d+)([kmg]?)b?$/i.exec(raw.trim());
  if (!match) throw new FieldError(`must be a size such as 512m or 2g, got "${raw}"`);
  const bytes = Number(match[1]) * (BYTE_UNITS[(match[2] ?? '').toLowerCase()] ?? 1);
  if (!Number.isSafeInteger(bytes) || bytes < 4 * 1024 ** 2) throw new FieldError('must be at least 4m');
  return bytes;
};

const GRANT_KEY = /^(github|gitlab|local):[^\s*]+(\/\*)?$/;
const GRANT_OBJECT = /^(secret|configmap|serviceaccount)\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** BERTH_REPO_SECRETS: `{"github:acme/app": ["secret/deploy-key", "configmap/ca", "serviceaccount/deployer"]}`. */
export function repoGrants(value: unknown): Record<string, string[]> {
  if (!isObject(value)) throw new FieldError('must be an object');
  for (const [key, objects] of Object.entries(value)) {
    if (!GRANT_KEY.test(key)) throw new FieldError('must be forge:owner/name or forge:owner/*', [key]);
    if (!Array.isArray(objects)) throw new FieldError('must be an array', [key]);
    objects.forEach((object, i) => {
      if (typeof object !== 'string' || !GRANT_OBJECT.test(object)) {
        throw new FieldError('must be secret/NAME, configmap/NAME or serviceaccount/NAME', [key, String(i)]);
      }
    });
  }
  return value as Record<string, string[]>;
}
