// The message strips under each screen's controls: confirmations (info) and the server's refusals
// (problem). An empty strip is hidden (app.css .message:empty), so clearing one removes it from view.
import { el } from './dom.js';

export function show(target, kind, ...children) {
  target.replaceChildren(...children.map((c) => (c instanceof Node ? c : el('div', null, c))));
  target.className = 'message ' + kind;
}

export function info(target, text) {
  show(target, 'info', text);
}

/** Empties a strip, whatever it showed. */
export function clear(target) {
  target.replaceChildren();
  target.className = 'message';
}

/** Forgets the refusals shown so far (e.g. after a new token), keeping confirmations. */
export function clearProblems() {
  for (const area of document.querySelectorAll('.message.problem')) clear(area);
}

export function problemText(problem) {
  if (!problem) return 'no detail';
  return problem.detail || problem.title || 'no detail';
}

/** The server's problem, verbatim: its detail, then every {path, message} of its errors. */
export function showProblem(target, reply, what) {
  const problem = reply.body || {};
  const nodes = [el('div', { class: 'problem-detail', 'data-testid': 'problem-detail' },
    what + ' (' + reply.status + '): ' + problemText(problem))];
  if (Array.isArray(problem.errors) && problem.errors.length) {
    nodes.push(el('ul', { class: 'problem-errors' },
      ...problem.errors.map((e) => el('li', null, (e.path || '') + ': ' + (e.message || '')))));
  }
  show(target, 'problem', ...nodes);
}
