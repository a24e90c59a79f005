// A decision's detail, opened from its timeline row and shown right under that row: the answer, the
// rule firings in order, and what the runtime did (GET /v1/decisions/{id}?explain=full): trace status,
// the attached trace's SHA-256, the runtime report, a runtime downgrade and any violations.
import { api } from './api.js';
import { $, el, enc } from './dom.js';
import { problemText } from './messages.js';

const TRACE_STATUS = {
  attached: 'attached', missing: 'missing (recorded as not uploaded)', expected: 'expected, not uploaded yet',
  none: 'none expected', purged: 'purged (its SHA-256 and the proof are kept)',
};

let selected = null; // the decision_id shown
let panel = null; // section#decision-detail
let holder = null; // the table row under the selected row that holds the panel

/**
 * Marks the selected row and puts the detail panel in a table row right under it, so it opens where
 * the user clicked (the timeline re-renders every poll: this runs after each render). A selected
 * decision that the filters hide leaves the panel under the table.
 */
export function selectRow() {
  // kept here, not looked up: a render of the timeline detaches the row holding the panel
  panel = panel || $('decision-detail');
  holder = holder || el('tr', { id: 'detail-row' }, el('td', { colspan: 9 }));
  let selectedRow = null;
  for (const row of document.querySelectorAll('#timeline-body tr.decision-row')) {
    const isSelected = row.getAttribute('data-decision-id') === selected;
    row.classList.toggle('selected', isSelected);
    if (isSelected) selectedRow = row;
  }
  if (selectedRow) {
    holder.firstChild.append(panel);
    selectedRow.after(holder);
  } else {
    $('timeline-table').after(panel);
    holder.remove();
  }
}

export async function showDecision(decisionId) {
  selected = decisionId;
  selectRow();
  const reply = await api('GET', '/v1/decisions/' + enc(decisionId) + '?explain=full');
  if (selected !== decisionId) return; // another row was opened meanwhile
  panel.hidden = false;
  $('detail-id').textContent = decisionId;
  if (!reply.ok) {
    $('detail-summary').replaceChildren(el('div', { class: 'problem' }, problemText(reply.body)));
    $('detail-firings').replaceChildren();
    $('detail-runtime').replaceChildren();
    bringIntoView();
    return;
  }
  const d = reply.body;
  $('detail-summary').replaceChildren(...pairs([
    ['trace id', d.trace_id], ['role', d.role], ['model', d.model_id], ['profile', d.profile_id],
    ['requested (' + d.requested_source + ')', JSON.stringify(d.requested_policy)],
    ['effective', JSON.stringify(d.effective_policy)],
    ['downgraded', d.downgraded ? 'yes: ' + (d.downgrade_reason || '') : 'no'],
    ['reason codes', (d.reason_codes || []).join(', ') || '\u2014'],
    ['adjustments', (d.adjustments || []).join(', ') || '\u2014'],
    ['waiver', d.waiver_ref || '\u2014'],
    ['trace artifact', d.trace_artifact_ref || d.trace_artifact_null_reason || '\u2014'],
    ['ruleset digest', d.ruleset ? d.ruleset.digest : ''],
  ]));
  $('detail-runtime').replaceChildren(...pairs(runtimeFields(d)));
  $('detail-firings').replaceChildren(...firings(d));
  bringIntoView();
}

/** The row clicked at the top of the window with its detail under it (or the detail alone, the row filtered out). */
function bringIntoView() {
  const row = holder && holder.isConnected ? holder.previousElementSibling : null;
  (row || panel).scrollIntoView({ block: 'start' });
}

/** What the runtime did: the server's trace_status, the trace's SHA-256, its report and what came of it. */
function runtimeFields(d) {
  const report = d.runtime_report;
  const fields = [
    ['trace status', TRACE_STATUS[d.trace_status] || d.trace_status, 'trace-status'],
    ['trace SHA-256', d.trace_artifact_sha256 || '\u2014', 'trace-sha256'],
  ];
  if (d.trace_summary) fields.push(['trace summary', JSON.stringify(d.trace_summary)]);
  if (report) {
    fields.push(['runtime report', 'ran ' + report.mode + ' / ' + report.exactness + ', ' + report.token_count
      + ' token(s)' + (report.timings && report.timings.total_ms != null ? ', ' + report.timings.total_ms + ' ms' : '')
      + (report.downgraded ? ', downgraded: ' + (report.downgrade_reason || '') : '')
      + ' (' + report.event_id + ')', 'runtime-report']);
  } else {
    fields.push(['runtime report', 'none yet', 'runtime-report']);
  }
  if (d.runtime_downgrade) fields.push(['runtime downgrade', JSON.stringify(d.runtime_downgrade)]);
  if (Array.isArray(d.report_rule_firings) && d.report_rule_firings.length) {
    fields.push(['report rules fired', d.report_rule_firings.map((f) => f.rule_name).join(', ')]);
  }
  const violations = d.violations || [];
  fields.push(['violations', violations.length ? violations.map((v) => JSON.stringify(v)).join('\n') : 'none',
    'violations']);
  return fields;
}

/** dt/dd pairs; a third item names the dd's data-field, for whoever reads the page. */
function pairs(fields) {
  return fields.flatMap(([name, value, field]) =>
    [el('dt', null, name), el('dd', { 'data-field': field }, value == null ? '\u2014' : value)]);
}

function firings(d) {
  if (Array.isArray(d.explain)) {
    return d.explain.map((e) => el('li', { class: 'firing ' + (e.outcome || 'fired') },
      el('span', { class: 'rule-name' }, e.rule_name),
      e.outcome === 'cancelled' ? ' (cancelled before firing)' : '',
      e.stage === 'report' ? ' (judging the runtime report)' : '',
      e.description ? el('div', { class: 'rule-description' }, e.description) : null));
  }
  return (d.rule_firings || []).map((f) => el('li', { class: 'firing fired' },
    el('span', { class: 'rule-name' }, f.rule_name)));
}
