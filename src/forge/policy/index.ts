import type { ForgeEvent } from '../events.ts';
import { onChange } from './change.ts';
import { onComment } from './comment.ts';
import type { PolicyDeps, PolicyOutcome } from './deps.ts';
import { onMergeGroup } from './merge-group.ts';
import { onPush } from './push.ts';
import { onRerun } from './rerun.ts';

export type { PolicyDeps, PolicyOutcome } from './deps.ts';
export { createPolicyStore, type PolicyStore, type PolicyTtls } from './store.ts';
export { isTrusted } from './trust.ts';

/**
 * Decides what one forge event means and does it: queue, cancel, hold for approval,
 * skip, reply or ignore. A redelivered delivery id is handled once; a delivery whose
 * handling failed is forgotten so the forge's redelivery can try again.
 */
export async function handleForgeEvent(event: ForgeEvent, deps: PolicyDeps): Promise<PolicyOutcome> {
  if (!(await deps.store.claimDelivery(event.repo, event.deliveryId))) {
    return { action: 'duplicate', builds: [], reason: 'delivery already handled' };
  }
  try {
    const result = await dispatch(event, deps);
    deps.logger.info({ kind: event.kind, ...result }, 'forge event handled');
    return result;
  } catch (err) {
    await deps.store.releaseDelivery(event.repo, event.deliveryId);
    throw err;
  }
}

function dispatch(event: ForgeEvent, deps: PolicyDeps): Promise<PolicyOutcome> {
  switch (event.kind) {
    case 'push':
      return onPush(event, deps);
    case 'change':
      return onChange(event, deps);
    case 'comment':
      return onComment(event, deps);
    case 'rerun':
      return onRerun(event, deps);
    case 'merge-group':
      return onMergeGroup(event, deps);
  }
}
