import { z } from 'zod';

/** `X-Gitlab-Event` values Berth acts on; every other event is acknowledged and ignored. */
export const HANDLED_HOOKS = ['Push Hook', 'Tag Push Hook', 'Merge Request Hook', 'Note Hook'] as const;
export type HandledHook = (typeof HANDLED_HOOKS)[number];

const project = z.object({ id: z.number().int(), path_with_namespace: z.string().min(1) });
const user = z.object({ id: z.number().int().optional(), username: z.string().min(1) });
const commit = z.object({
  id: z.string(),
  message: z.string().default(''),
  timestamp: z.string().optional(),
});

/** `Push Hook` and `Tag Push Hook` (the fields Berth reads). */
export const pushHook = z.object({
  ref: z.string().min(1),
  checkout_sha: z.string().nullable().optional(),
  user_id: z.number().int().optional(),
  user_username: z.string().min(1),
  project,
  commits: z.array(commit).default([]),
});

/** `Merge Request Hook`. `oldrev` is present only when the source branch got new commits. */
export const mergeRequestHook = z.object({
  user,
  project,
  object_attributes: z.object({
    iid: z.number().int().positive(),
    action: z.string().optional(),
    /** The MR's author: whom the trust check is about (the hook's `user` is who acted). */
    author_id: z.number().int().optional(),
    oldrev: z.string().nullable().optional(),
    source_branch: z.string().min(1),
    source_project_id: z.number().int(),
    target_project_id: z.number().int(),
    /** Null when the source project is gone (a deleted fork). */
    source: project.partial().nullable().optional(),
    last_commit: commit,
  }),
});

/** `Note Hook` on a merge request (`merge_request` carries the head sha). */
export const noteHook = z.object({
  user,
  project,
  object_attributes: z.object({
    id: z.number().int(),
    note: z.string(),
    noteable_type: z.string(),
    created_at: z.string().max(64).optional(),
    system: z.boolean().optional(),
    /** `create` or `update` (an edit); older GitLab sends none. */
    action: z.string().optional(),
  }),
  merge_request: z
    .object({
      iid: z.number().int().positive(),
      state: z.string(),
      last_commit: z.object({ id: z.string() }).optional(),
    })
    .optional(),
});

export type PushHook = z.infer<typeof pushHook>;
export type MergeRequestHook = z.infer<typeof mergeRequestHook>;
export type NoteHook = z.infer<typeof noteHook>;
