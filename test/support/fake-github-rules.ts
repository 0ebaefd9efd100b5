// What GitHub's REST API itself refuses, so the fake answers like GitHub (422, 401)
// instead of storing whatever Berth sends. Limits are GitHub's documented ones.

/** A refusal: HTTP status and GitHub's error body. */
export interface Refusal {
  status: number;
  body: { message: string; errors?: Array<Record<string, string>>; documentation_url?: string };
}

const chars = (text: string): number => [...text].length;

const invalid = (resource: string, field: string, message: string): Refusal => ({
  status: 422,
  body: {
    message: 'Validation Failed',
    errors: [{ resource, field, code: 'custom', message }],
    documentation_url: 'https://docs.github.com/rest',
  },
});

/** `POST /repos/{owner}/{repo}/statuses/{sha}`: state, description ≤ 140, context. */
export function statusRefusal(body: Record<string, unknown> | null): Refusal | null {
  const state = body?.state;
  if (!['pending', 'success', 'failure', 'error'].includes(String(state)))
    return invalid('Status', 'state', `state is not included in the list`);
  const description = body?.description;
  if (description !== undefined && description !== null) {
    if (typeof description !== 'string') return invalid('Status', 'description', 'description is invalid');
    if (chars(description) > 140)
      return invalid('Status', 'description', 'description is too long (maximum is 140 characters)');
  }
  const target = body?.target_url;
  if (target !== undefined && target !== null && !/^https?:\/\//.test(String(target)))
    return invalid('Status', 'target_url', 'target_url must be an http(s) URL');
  if (body?.context !== undefined && typeof body.context !== 'string')
    return invalid('Status', 'context', 'context is invalid');
  return null;
}

/** Issue comments: a body of at most 65,536 characters. */
export function commentRefusal(body: Record<string, unknown> | null): Refusal | null {
  if (typeof body?.body !== 'string' || body.body.length === 0)
    return invalid('IssueComment', 'body', 'body is missing');
  if (chars(body.body) > 65_536)
    return invalid('IssueComment', 'body', 'body is too long (maximum is 65536 characters)');
  return null;
}

const CHECK_STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'];
const CONCLUSIONS = [
  'action_required',
  'cancelled',
  'failure',
  'neutral',
  'success',
  'skipped',
  'stale',
  'timed_out',
];

/** Check runs: name and head_sha on create, known status/conclusion, output within limits. */
export function checkRunRefusal(body: Record<string, unknown> | null, create: boolean): Refusal | null {
  if (create && (typeof body?.name !== 'string' || body.name === ''))
    return invalid('CheckRun', 'name', 'name is missing');
  if (create && !/^[0-9a-f]{40}$/.test(String(body?.head_sha)))
    return invalid('CheckRun', 'head_sha', 'head_sha is not a commit sha');
  if (body?.status !== undefined && !CHECK_STATUSES.includes(String(body.status)))
    return invalid('CheckRun', 'status', 'status is not included in the list');
  if (body?.conclusion !== undefined && !CONCLUSIONS.includes(String(body.conclusion)))
    return invalid('CheckRun', 'conclusion', 'conclusion is not included in the list');
  if (body?.status === 'completed' && body.conclusion === undefined)
    return invalid('CheckRun', 'conclusion', 'conclusion is required when status is completed');
  const output = body?.output as Record<string, unknown> | undefined;
  if (output !== undefined) {
    if (typeof output.title !== 'string' || typeof output.summary !== 'string')
      return invalid('CheckRun', 'output', 'output needs a title and a summary');
    for (const field of ['summary', 'text'] as const) {
      const value = output[field];
      if (typeof value === 'string' && chars(value) > 65_535)
        return invalid('CheckRun', `output.${field}`, `${field} is too long (maximum is 65535 characters)`);
    }
  }
  return null;
}

/** GitHub's answer to a role: `maintain` and `write` both have permission `write`, `triage` has `read`. */
export function permissionOfRole(role: string): string {
  if (role === 'maintain') return 'write';
  if (role === 'triage') return 'read';
  return role;
}
