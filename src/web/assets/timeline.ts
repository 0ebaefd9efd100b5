/// <reference lib="dom" />
// The stage/step timeline: one collapsible panel per step; a panel's log viewer is mounted
// when it first opens. Failed and running steps open by themselves; a step that opened
// itself while running closes again when it succeeds, so the failure stays in view.
import type { BuildRecord } from '../../builds/types.ts';
import { durationBetween, escapeHtml } from './format.ts';
import type { LogLines } from './log-lines.ts';
import { type LogView, mountLogView } from './log-view.ts';
import { badge, stepSummary } from './render.ts';

interface StepView {
  toggle: HTMLButtonElement;
  panel: HTMLElement;
  anchor: string;
  label: string;
  lines: LogLines;
  view: LogView | null;
  touched: boolean;
  status: string;
}

/** The timeline's face towards the page module. */
export interface Timeline {
  show(build: BuildRecord, now: number): void;
  /** New lines arrived for the step `stage\0step`. */
  linesChanged(key: string): void;
  /** Opens the step a `#s0-1-L42` fragment names and scrolls to the line. */
  revealHash(hash: string): void;
}

/** Builds the timeline into `root`. */
export function createTimeline(
  root: HTMLElement,
  linesOf: (stage: string, step: string) => LogLines,
): Timeline {
  const steps = new Map<string, StepView>();
  const byAnchor = new Map<string, StepView>();
  const stageHeads = new Map<string, HTMLElement>();

  const open = (view: StepView, expanded: boolean): void => {
    view.toggle.setAttribute('aria-expanded', String(expanded));
    view.panel.hidden = !expanded;
    if (expanded && !view.view) {
      view.view = mountLogView(view.panel, view.lines, view.anchor, view.label);
      view.view.setFollow(view.status !== 'success');
    }
  };

  const addStep = (list: HTMLElement, anchor: string, label: string, lines: LogLines): StepView => {
    const item = document.createElement('li');
    item.className = 'step';
    item.innerHTML = `<button type="button" class="step-toggle" id="${anchor}" aria-expanded="false" aria-controls="${anchor}-log"></button><div class="log-panel" id="${anchor}-log" hidden></div>`;
    list.append(item);
    const view: StepView = {
      toggle: item.querySelector('button') as HTMLButtonElement,
      panel: item.querySelector('.log-panel') as HTMLElement,
      anchor,
      label,
      lines,
      view: null,
      touched: false,
      status: '',
    };
    view.toggle.addEventListener('click', () => {
      view.touched = true;
      open(view, view.panel.hidden !== false);
    });
    return view;
  };

  const ensureStage = (name: string, index: number): HTMLElement => {
    let head = stageHeads.get(name);
    if (!head) {
      const section = document.createElement('section');
      section.className = 'stage';
      section.setAttribute('aria-labelledby', `stage-${index}`);
      section.innerHTML = `<h2 id="stage-${index}"></h2><ol class="steps"></ol>`;
      root.append(section);
      head = section.querySelector('h2') as HTMLElement;
      stageHeads.set(name, head);
    }
    return head;
  };

  const waiting = document.createElement('p');
  waiting.className = 'empty';
  waiting.textContent = 'Queued: waiting for a worker to take this build.';
  root.append(waiting);

  /** Berth's own build-level lines (definition errors, takeovers) get a section of their own. */
  let notes: StepView | null = null;
  let notesOpen = false;
  const ensureNotes = (): void => {
    const lines = linesOf('', '');
    if (notes || lines.texts.length === 0) return;
    const section = document.createElement('section');
    section.className = 'stage';
    section.setAttribute('aria-labelledby', 'stage-notes');
    section.innerHTML = '<h2 id="stage-notes">Build</h2><ol class="steps"></ol>';
    root.prepend(section);
    notes = addStep(section.querySelector('ol') as HTMLElement, 'notes', 'Messages from Berth', lines);
    notes.toggle.innerHTML = '<span class="step-name">Messages from Berth</span>';
    byAnchor.set('notes', notes);
    if (notesOpen) open(notes, true);
  };

  return {
    show(build, now) {
      waiting.hidden = build.stages.length > 0 || build.status !== 'queued';
      notesOpen = build.stages.length === 0 || build.status === 'error';
      if (notes && notesOpen && !notes.touched) open(notes, true);
      build.stages.forEach((stage, si) => {
        const head = ensureStage(stage.name, si);
        const first = stage.steps.find((s) => s.startedAt)?.startedAt ?? null;
        const ends = stage.steps.map((s) => s.finishedAt);
        const last = ends.every(Boolean) ? (ends.sort().at(-1) ?? null) : null;
        head.innerHTML = `${escapeHtml(stage.name)} ${badge(stage.status)} <span class="dur">${durationBetween(first, last, now)}</span>`;
        const list = head.nextElementSibling as HTMLElement;
        stage.steps.forEach((step, pi) => {
          const key = `${stage.name}\u0000${step.name}`;
          let view = steps.get(key);
          if (!view) {
            const label = `Log of ${stage.name} / ${step.name}`;
            view = addStep(list, `s${si}-${pi}`, label, linesOf(stage.name, step.name));
            steps.set(key, view);
            byAnchor.set(view.anchor, view);
          }
          view.toggle.innerHTML = stepSummary(step, now);
          const changed = view.status !== step.status;
          view.status = step.status;
          if (changed && !view.touched && ['running', 'failed', 'error'].includes(step.status))
            open(view, true);
          else if (changed && !view.touched && step.status === 'success') open(view, false);
        });
      });
    },
    linesChanged(key) {
      if (key === '\u0000') ensureNotes();
      (key === '\u0000' ? notes : steps.get(key))?.view?.update();
    },
    revealHash(hash) {
      const match = /^#(s\d+-\d+|notes)(?:-L(\d+))?$/.exec(hash);
      const view = match ? byAnchor.get(match[1] ?? '') : undefined;
      if (!view || !match) return;
      view.touched = true;
      open(view, true);
      if (match[2]) view.view?.reveal(Number(match[2]));
      else view.toggle.focus();
    },
  };
}
