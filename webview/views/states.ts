// Empty, loading and error states that say what to do next.
import { ApiError } from '../transport/types';
import { h, cmd } from '../util/dom';

export function loading(text: string): HTMLElement {
  return h('div', { class: 'tw-state', role: 'status', 'aria-live': 'polite' },
    h('vscode-progress-ring', { 'aria-hidden': 'true' }), h('p', null, text));
}

export function errorState(err: unknown, retry?: () => void, host: 'browser' | 'vscode' = 'browser'): HTMLElement {
  const e = err instanceof ApiError ? err : new ApiError(String((err as Error)?.message ?? err));
  const body: (Node | string)[] = [];
  let title = 'Something went wrong';
  if (e.unreachable) {
    title = 'The Trackwell runtime is not reachable';
    body.push(h('p', null, host === 'vscode'
      ? 'Restart it with the command "Trackwell: Restart Runtime", or start it from a terminal:'
      : 'Start it from a terminal in your project, then open the URL it prints:'), h('p', null, cmd('trackwell ui')));
  } else if (e.status === 401) {
    title = 'This page has no valid access token';
    body.push(h('p', null, 'Open the dashboard through the URL that this command prints (it carries the token):'), h('p', null, cmd('trackwell ui')));
  } else if (e.status === 404) {
    title = 'Not found';
    body.push(h('p', null, e.message, '. It may have been deleted.'));
  } else {
    body.push(h('p', null, e.message));
  }
  return h('div', { class: 'tw-state tw-state-error', role: 'alert' },
    h('h2', null, title), ...body,
    retry ? h('vscode-button', { onclick: retry }, 'Try again') : null);
}

export function noRuns(host: 'browser' | 'vscode'): HTMLElement {
  return h('div', { class: 'tw-state tw-state-empty' },
    h('h2', null, 'No runs yet'),
    h('p', null, 'Start a training script with tracking; it shows up here live:'),
    h('p', null, cmd('trackwell run train.py')),
    h('p', { class: 'tw-muted' }, host === 'vscode'
      ? 'Or open a Python file and use "Trackwell: Run with Tracking". Scripts that import wandb work unchanged.'
      : ['Scripts that import wandb work unchanged; runs recorded offline appear after ', cmd('trackwell sync'), '.']));
}
