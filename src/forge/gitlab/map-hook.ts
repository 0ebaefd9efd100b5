import type { ChangeEvent, ForgeEvent } from '../events.ts';
import type { RepoRef } from '../types.ts';
import {
  type HandledHook,
  type MergeRequestHook,
  mergeRequestHook,
  type NoteHook,
  noteHook,
  type PushHook,
  pushHook,
} from './hooks.ts';

/** What a hook means to Berth: a neutral event, or why it is ignored. */
export type HookMeaning = { event: ForgeEvent } | { ignored: string };

/** Who is asking, known before the payload is read. */
export interface HookContext {
  deliveryId: string;
  /** The bot's own username (its notes are never commands). */
  botUsername: string;
}

/** A hook payload that passed validation. */
export type ParsedHook =
  | { type: 'push'; payload: PushHook }
  | { type: 'merge-request'; payload: MergeRequestHook }
  | { type: 'note'; payload: NoteHook };

/** Validates a hook payload; the error names the first bad field. */
export function parseHook(hook: HandledHook, payload: unknown): ParsedHook | { error: string } {
  const result =
    hook === 'Merge Request Hook'
      ? mergeRequestHook.safeParse(payload)
      : hook === 'Note Hook'
        ? noteHook.safeParse(payload)
        : pushHook.safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { error: `invalid ${hook} payload: ${issue?.path.join('.') || '(root)'}: ${issue?.message}` };
  }
  if (hook === 'Merge Request Hook')
    return { type: 'merge-request', payload: result.data as MergeRequestHook };
  if (hook === 'Note Hook') return { type: 'note', payload: result.data as NoteHook };
  return { type: 'push', payload: result.data as PushHook };
}

/** Maps a validated GitLab hook onto Berth's neutral events. */
export function mapHook(hook: ParsedHook, context: HookContext): HookMeaning {
  switch (hook.type) {
    case 'push':
      return mapPush(hook.payload, context);
    case 'merge-request':
      return mapMergeRequest(hook.payload, context);
    case 'note':
      return mapNote(hook.payload, context);
  }
}

const repoOf = (project: { id: number; path_with_namespace: string }): RepoRef => ({
  forge: 'gitlab',
  repo: project.path_with_namespace,
  projectId: project.id,
});

function mapPush(hook: PushHook, { deliveryId }: HookContext): HookMeaning {
  const tag = hook.ref.startsWith('refs/tags/');
  const sha = hook.checkout_sha ?? null;
  const head = hook.commits.find((c) => c.id === sha) ?? hook.commits.at(-1);
  return {
    event: {
      kind: 'push',
      repo: repoOf(hook.project),
      deliveryId,
      actor: hook.user_username,
      ...(hook.user_id === undefined ? {} : { actorId: hook.user_id }),
      ref: hook.ref.replace(/^refs\/(heads|tags)\//, ''),
      refType: tag ? 'tag' : 'branch',
      sha,
      commit: head
        ? { message: head.message, ...(head.timestamp ? { committerDate: head.timestamp } : {}) }
        : null,
    },
  };
}

const MR_ACTIONS: Record<string, ChangeEvent['action']> = {
  open: 'opened',
  reopen: 'reopened',
  update: 'updated',
  close: 'closed',
  merge: 'closed',
};

function mapMergeRequest(hook: MergeRequestHook, { deliveryId }: HookContext): HookMeaning {
  const mr = hook.object_attributes;
  const action = MR_ACTIONS[mr.action ?? ''];
  if (!action) return { ignored: `merge request action ${mr.action ?? '(none)'}` };
  if (mr.action === 'update' && !mr.oldrev) return { ignored: 'merge request edited without new commits' };
  const fork: RepoRef | null =
    mr.source_project_id === mr.target_project_id
      ? null
      : {
          forge: 'gitlab',
          repo: mr.source?.path_with_namespace ?? String(mr.source_project_id),
          projectId: mr.source_project_id,
        };
  return {
    event: {
      kind: 'change',
      repo: repoOf(hook.project),
      deliveryId,
      actor: hook.user.username,
      ...(hook.user.id === undefined ? {} : { actorId: hook.user.id }),
      action,
      change: mr.iid,
      sha: mr.last_commit.id,
      ref: mr.source_branch,
      fork,
      ...authorOf(hook),
      commit: { message: mr.last_commit.message },
    },
  };
}

function mapNote(hook: NoteHook, { deliveryId, botUsername }: HookContext): HookMeaning {
  const note = hook.object_attributes;
  const mr = hook.merge_request;
  if (note.noteable_type !== 'MergeRequest' || !mr) return { ignored: `note on a ${note.noteable_type}` };
  if (note.system) return { ignored: 'system note' };
  if (note.action && note.action !== 'create') return { ignored: `note ${note.action}` };
  return {
    event: {
      kind: 'comment',
      repo: repoOf(hook.project),
      deliveryId,
      actor: hook.user.username,
      ...(hook.user.id === undefined ? {} : { actorId: hook.user.id }),
      change: mr.iid,
      body: note.note,
      fromBot: hook.user.username.toLowerCase() === botUsername.toLowerCase(),
      changeState: mr.state === 'opened' ? 'open' : 'closed',
      sha: mr.last_commit?.id ?? null,
      writtenAt: isoTime(note.created_at),
      commentId: String(note.id),
    },
  };
}

/** GitLab's timestamps (`2024-05-01T10:00:00Z`, or `2024-05-01 10:00:00 UTC` on older hooks) as ISO 8601. */
function isoTime(text: string | undefined): string | null {
  const ms = text ? Date.parse(text.replace(/ UTC$/, 'Z').replace(' ', 'T')) : Number.NaN;
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * The MR's author for the trust check: `object_attributes.author_id`. The hook names only
 * the acting user, so another author is shown by id.
 */
function authorOf(hook: MergeRequestHook): { author: string; authorId?: number } {
  const id = hook.object_attributes.author_id ?? hook.user.id;
  if (id === undefined) return { author: hook.user.username };
  return { author: id === hook.user.id ? hook.user.username : `user #${id}`, authorId: id };
}
