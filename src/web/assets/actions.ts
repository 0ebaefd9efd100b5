/// <reference lib="dom" />
// Cancel and rerun buttons (rendered only for a signed-in user; the server checks again).

/** The buttons for one build; `render` shows those that fit its status. */
export interface ActionButtons {
  render(status: string): void;
}

/** Wires the action buttons of build `id` into `host`; results go to #action-result. */
export function wireActions(host: HTMLElement, id: string): ActionButtons {
  const result = document.getElementById('action-result') as HTMLElement;
  host.addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest('button[data-action]') as HTMLButtonElement | null;
    if (button) void act(button, id, result);
  });
  return {
    render(status) {
      const running = status === 'queued' || status === 'running';
      host.innerHTML = running
        ? '<button type="button" class="danger" data-action="cancel">Cancel build</button>'
        : '<button type="button" data-action="rerun">Rerun build</button>';
    },
  };
}

async function act(button: HTMLButtonElement, id: string, result: HTMLElement): Promise<void> {
  const action = button.dataset.action ?? '';
  button.disabled = true;
  try {
    const res = await fetch(`/api/builds/${encodeURIComponent(id)}/${action}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    const body = (await res.json().catch(() => ({}))) as { id?: string; error?: string };
    if (!res.ok) {
      result.textContent = `Could not ${action}: ${body.error ?? res.statusText}`;
      return;
    }
    if (action === 'rerun' && body.id) {
      location.assign(`/builds/${encodeURIComponent(body.id)}`);
      return;
    }
    result.textContent = 'Cancel requested.';
  } catch {
    result.textContent = `Could not ${action}: the server did not answer.`;
  } finally {
    button.disabled = false;
  }
}
