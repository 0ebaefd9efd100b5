import { z } from 'zod';

// The parts of GitHub webhook payloads Berth reads (GitHub sends much more; the rest is dropped).

const user = z.object({ login: z.string(), type: z.string().optional() });
const repo = z.object({ full_name: z.string().min(1) });
const appRef = z.object({ id: z.number().int() }).nullish();
const base = {
  action: z.string().optional(),
  installation: z.object({ id: z.number().int() }).optional(),
  repository: repo.optional(),
  sender: user.optional(),
};

/** A GitHub account as payloads name it. */
export type User = z.infer<typeof user>;

/** `push`. */
export const pushPayload = z.object({
  ...base,
  ref: z.string().min(1),
  after: z.string(),
  deleted: z.boolean().optional(),
  head_commit: z
    .object({
      message: z.string(),
      timestamp: z.string().optional(),
      author: z.object({ date: z.string().optional() }).optional(),
    })
    .nullish(),
});

/** A pull request (webhook payloads and `pulls.get`). */
export const pullRequest = z.object({
  number: z.number().int().positive(),
  state: z.string(),
  user: user.nullable(),
  head: z.object({ sha: z.string().min(1), ref: z.string(), repo: repo.nullable() }),
  base: z.object({ repo }),
});

/** `pull_request`. */
export const pullRequestPayload = z.object({ ...base, number: z.number().int(), pull_request: pullRequest });

/** `issue_comment`. */
export const issueCommentPayload = z.object({
  ...base,
  issue: z.object({ number: z.number().int(), state: z.string(), pull_request: z.unknown().optional() }),
  comment: z.object({
    id: z.number().int(),
    body: z.string().nullable(),
    created_at: z.string().max(64).optional(),
    user: user.nullable(),
    performed_via_github_app: appRef,
  }),
});

const suite = z.object({
  head_sha: z.string().min(1),
  head_branch: z.string().nullable(),
  pull_requests: z.array(z.object({ number: z.number().int() })),
  app: appRef,
});

/** `check_run`. */
export const checkRunPayload = z.object({
  ...base,
  check_run: z.object({
    name: z.string(),
    head_sha: z.string().min(1),
    pull_requests: z.array(z.object({ number: z.number().int() })),
    check_suite: suite,
    app: appRef,
  }),
});

/** `check_suite`. */
export const checkSuitePayload = z.object({ ...base, check_suite: suite });

/** `merge_group` (GitHub merge queue). */
export const mergeGroupPayload = z.object({
  ...base,
  reason: z.string().max(64).optional(),
  merge_group: z.object({
    head_sha: z.string().regex(/^[0-9a-f]{40,64}$/),
    head_ref: z.string().min(1).max(1024),
    base_ref: z.string().max(1024).optional(),
    head_commit: z.object({ message: z.string(), timestamp: z.string().optional() }).nullish(),
  }),
});

export type PushPayload = z.infer<typeof pushPayload>;
export type MergeGroupPayload = z.infer<typeof mergeGroupPayload>;
export type PullRequest = z.infer<typeof pullRequest>;
export type PullRequestPayload = z.infer<typeof pullRequestPayload>;
export type IssueCommentPayload = z.infer<typeof issueCommentPayload>;
export type CheckRunPayload = z.infer<typeof checkRunPayload>;
export type CheckSuitePayload = z.infer<typeof checkSuitePayload>;

/** The payload schema of each `X-GitHub-Event` Berth acts on; every other event is acknowledged and ignored. */
const schemas = {
  push: pushPayload,
  pull_request: pullRequestPayload,
  issue_comment: issueCommentPayload,
  check_run: checkRunPayload,
  check_suite: checkSuitePayload,
  merge_group: mergeGroupPayload,
} as const;

/** An event Berth acts on. */
export type HandledEvent = keyof typeof schemas;

/** A delivery payload that passed validation, by event. */
export type ParsedPayload = {
  [K in HandledEvent]: { name: K; payload: z.infer<(typeof schemas)[K]> };
}[HandledEvent];

/** Whether Berth acts on deliveries of `name`. */
export const isHandledEvent = (name: string | undefined): name is HandledEvent =>
  name !== undefined && Object.hasOwn(schemas, name);

/** Validates a payload of a handled event; the error names the first bad field. */
export function parsePayload(name: HandledEvent, payload: unknown): ParsedPayload | { error: string } {
  const result = schemas[name].safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { error: `invalid ${name} payload: ${issue?.path.join('.') || '(root)'}: ${issue?.message}` };
  }
  return { name, payload: result.data } as ParsedPayload;
}
