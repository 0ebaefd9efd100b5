import { createRedactor } from '../logs/redact.ts';
import type { BuildRecord } from './types.ts';

/** What a secret input's value is shown as. */
export const MASKED_INPUT = '***';

/**
 * Whether an input of the build is a password. Until the worker has planned the build
 * (`secretInputs` unknown) every input counts as one: nothing is shown that might be.
 */
export function isSecretInput(record: Pick<BuildRecord, 'secretInputs'>, name: string): boolean {
  return record.secretInputs === undefined || record.secretInputs.includes(name);
}

/** The build's inputs as anyone may see them: password values replaced by `***`. */
export function shownInputs(record: Pick<BuildRecord, 'request' | 'secretInputs'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.request.inputs ?? {})) {
    out[name] = isSecretInput(record, name) ? MASKED_INPUT : value;
  }
  return out;
}

/** Values no status, comment or page may contain: those of the password inputs. */
export function secretInputValues(record: Pick<BuildRecord, 'request' | 'secretInputs'>): string[] {
  return Object.entries(record.request.inputs ?? {})
    .filter(([name, value]) => value !== '' && isSecretInput(record, name))
    .map(([, value]) => value);
}

/** A copy of the record safe to show to anyone (API, pages): inputs masked, their values out of the message. */
export function shownRecord(record: BuildRecord): BuildRecord {
  const secrets = secretInputValues(record);
  const message =
    record.message && secrets.length > 0 ? createRedactor(secrets).redact(record.message) : record.message;
  return { ...record, message, request: { ...record.request, inputs: shownInputs(record) } };
}
