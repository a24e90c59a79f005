// The evidence timeline: the newest llm_exec_policy decisions from the Flight Recorder, filtered by role,
// trace and downgraded-only, polled every 2 s while the screen is open; a row opens its detail.
import { api } from './api.js';
import { showDecision, selectRow } from './decision-detail.js';
import { $, el } from './dom.js';
import { clear, showProblem } from './messages.js';

const POLL_MS = 2000;

const timeline = {
  busy: false,
  again: false,
  timer: null,
  decisions: [], // the last llm_exec_policy records read
  violations: new Map(), // decision_id -> its exec_policy_violation records
};

async function violationsByDecision() {
  const reply = await api('GET', '/v1/events?type=exec_policy_violation&limit=500');
  const map = new Map();
  // an older server does not know this type yet (400): no violations
  if (!reply.ok || !reply.body || !Array.isArray(reply.body.items)) return map;
  for (const record of reply.body.items) {
    if (!map.has(record.decision_id)) map.set(record.decision_id, []);
    map.get(record.decision_id).push(record);
  }
  return map;
}

function policyText(policy) {
  if (!policy) return '(none)';
  return (policy.mode || '?') + ' / ' + (policy.exactness || '?');
}

export async function refreshTimeline() {
  if (timeline.busy) {
    timeline.again = true; // a filter changed while a poll was on its way: ask again after it
    return;
  }
  timeline.busy = true;
  try {
    const params = new URLSearchParams({ type: 'llm_exec_policy', limit: '50' });
    const trace = $('filter-trace').value.trim();
    if (trace) params.set('trace_id', trace);
    const reply = await api('GET', '/v1/events?' + params.toString());
    if (!reply.ok) {
      showProblem($('timeline-message'), reply, 'Cannot read the Flight Recorder');
      return;
    }
    timeline.violations = await violationsByDecision();
    // a report adds a second llm_exec_policy (phase executed): the timeline shows decisions only
    timeline.decisions = (reply.body.items || []).filter((r) => r.phase !== 'executed');
    clear($('timeline-message'));
    $('timeline-updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    renderTimeline();
  } finally {
    timeline.busy = false;
    if (timeline.again) {
      timeline.again = false;
      refreshTimeline();
    }
  }
}

/** The last records read, filtered by role (substring) and downgraded-only, newest first. */
export function renderTimeline() {
  const role = $('filter-role').value.trim();
  const downgradedOnly = $('filter-downgraded').checked;
  const items = timeline.decisions.filter((r) =>
    (!role || String(r.role).includes(role)) && (!downgradedOnly || r.downgraded === true));
  $('timeline-body').replaceChildren(...items.map(decisionRow));
  if (!items.length) {
    $('timeline-body').append(el('tr', null, el('td', { colspan: 9 }, 'No decisions match.')));
  }
  selectRow();
}

function decisionRow(record) {
  const violations = timeline.violations.get(record.decision_id) || [];
  const downgrade = el('td', { class: 'downgrade' });
  if (record.downgraded) {
    downgrade.append(el('span', { class: 'badge badge-downgraded' }, 'downgraded'), ' ',
      el('span', { class: 'downgrade-reason' }, record.downgrade_reason || ''));
    if (Array.isArray(record.reason_codes) && record.reason_codes.length) {
      downgrade.append(el('div', { class: 'reason-codes' }, record.reason_codes.join(', ')));
    }
  } else {
    downgrade.append('\u2014');
  }
  if (violations.length) {
    downgrade.append(' ', el('span', { class: 'badge badge-violation' }, 'violation'));
  }
  const digest = record.ruleset_digest || '';
  const open = () => showDecision(record.decision_id);
  const tr = el('tr', {
    class: 'decision-row', tabindex: 0, 'data-downgraded': String(record.downgraded === true),
    onclick: open,
    onkeydown: (e) => { if (e.key === 'Enter') open(); },
  },
  el('td', { class: 'time' }, record.timestamp),
  el('td', { class: 'role' }, record.role),
  el('td', { class: 'model' }, record.model_id),
  el('td', { class: 'requested' }, policyText(record.requested_policy)),
  el('td', { class: 'effective' }, policyText({ mode: record.mode, exactness: record.exactness })),
  downgrade,
  el('td', { class: 'waiver' }, record.waiver_ref || '\u2014'),
  el('td', { class: 'ruleset', title: digest }, digest.slice(0, 12)),
  el('td', { class: 'trace' }, record.trace_id));
  tr.setAttribute('data-decision-id', record.decision_id);
  return tr;
}

/** Polls while the timeline is the screen shown and "live" is ticked. */
export function schedulePolling(timelineShown) {
  if (timeline.timer) {
    clearInterval(timeline.timer);
    timeline.timer = null;
  }
  if (timelineShown && $('timeline-live').checked) {
    timeline.timer = setInterval(refreshTimeline, POLL_MS);
  }
}
