// The waiver registry screen: the list with each waiver's status, creation, revocation and the second
// operator's approval of a MEDIUM or HIGH waiver; and which waivers can cover a role's approximate execution.
import { api } from './api.js';
import { $, el, enc, csv, DAY_MS } from './dom.js';
import { info, showProblem } from './messages.js';

const STATUS_LABELS = {
  active: 'active', expiring: 'expiring within 7 days', expired: 'expired', revoked: 'revoked',
  pending: 'pending a second operator',
};

export const waivers = { items: [] };

export function waiverStatus(waiver, now) {
  if (waiver.revoked_at) return 'revoked';
  const expires = Date.parse(waiver.expires_at);
  if (!(expires > now)) return 'expired';
  // a MEDIUM or HIGH waiver covers nothing until another operator approves it (WAIVER_PENDING)
  if (waiver.status === 'pending') return 'pending';
  return expires - now <= 7 * DAY_MS ? 'expiring' : 'active';
}

function scopeText(scope) {
  const s = scope || {};
  const list = (values) => (Array.isArray(values) ? values.join(', ') || '(none)' : 'any');
  return 'roles: ' + list(s.roles) + '; models: ' + list(s.model_ids)
    + (Array.isArray(s.wp_ids) ? '; work packages: ' + list(s.wp_ids) : '');
}

/** Unrevoked, unexpired waivers of approximate execution whose scope covers the role and its model. */
export function eligibleWaivers(row) {
  const now = Date.now();
  return waivers.items.filter((w) => {
    const status = waiverStatus(w, now);
    if (w.check_waived !== 'approximate_execution' || (status !== 'active' && status !== 'expiring')) return false;
    const scope = w.scope || {};
    const roleOk = !Array.isArray(scope.roles) || scope.roles.includes(row.id) || scope.roles.includes(row.cls);
    const modelOk = !Array.isArray(scope.model_ids) || (row.model != null && scope.model_ids.includes(row.model));
    return roleOk && modelOk;
  });
}

export async function loadWaivers() {
  const reply = await api('GET', '/v1/waivers');
  if (!reply.ok) {
    showProblem($('waivers-message'), reply, 'Cannot list waivers');
    return false;
  }
  waivers.items = reply.body.items || [];
  return true;
}

export function renderWaivers() {
  const now = Date.now();
  const rows = waivers.items.slice().sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  $('waivers-body').replaceChildren(...rows.map((w) => {
    const status = waiverStatus(w, now);
    let revokeCell;
    if (w.revoked_at) {
      const reason = w.revoke_reason || w.revocation_reason || w.reason;
      revokeCell = el('td', { class: 'revoked-info' }, 'revoked ' + w.revoked_at + (reason ? ': ' + reason : ''));
    } else {
      const reasonInput = el('input', { class: 'revoke-reason', placeholder: 'reason', size: 18 });
      revokeCell = el('td', null, reasonInput, el('button', {
        type: 'button', class: 'revoke-waiver', onclick: () => revokeWaiver(w.waiver_id, reasonInput.value),
      }, 'Revoke'));
    }
    const tr = el('tr', { class: 'waiver-row', 'data-status': status },
      el('td', { class: 'waiver-id' }, w.waiver_id),
      el('td', null, el('span', { class: 'status status-' + status }, STATUS_LABELS[status])),
      el('td', null, w.check_waived),
      el('td', { class: 'scope' }, scopeText(w.scope)),
      el('td', { class: 'justification' }, w.justification),
      el('td', { class: 'approver' }, w.approver),
      el('td', null, w.expires_at),
      el('td', { class: 'risk' }, w.risk || 'LOW'),
      approvalCell(w, status),
      revokeCell);
    tr.setAttribute('data-waiver-id', w.waiver_id);
    return tr;
  }));
  if (!rows.length) $('waivers-body').append(el('tr', null, el('td', { colspan: 10 }, 'No waivers yet.')));
}

/**
 * Who approved a MEDIUM or HIGH waiver, or a button for a second operator while it is pending. The
 * console cannot tell whose token it holds: the server refuses (403) the one that granted it.
 */
function approvalCell(w, status) {
  if (w.approved_by) {
    return el('td', { class: 'approval' }, 'approved by ' + w.approved_by + ' at ' + w.approved_at);
  }
  if (status !== 'pending') return el('td', { class: 'approval' }, w.risk && w.risk !== 'LOW' ? '' : 'not needed');
  return el('td', { class: 'approval' }, 'granted by ' + (w.granted_by || '?') + ' ', el('button', {
    type: 'button', class: 'approve-waiver', onclick: () => approveWaiver(w.waiver_id),
  }, 'Approve'));
}

async function approveWaiver(id) {
  const reply = await api('POST', '/v1/waivers/' + enc(id) + '/approve');
  if (!reply.ok) {
    showProblem($('waivers-message'), reply, 'Approval refused');
    return;
  }
  info($('waivers-message'), 'Approved waiver ' + id + ' as ' + reply.body.approved_by + '.');
  await reloadWaivers();
}

export async function createWaiver(event) {
  event.preventDefault();
  const body = { check_waived: 'approximate_execution' };
  const id = $('waiver-id').value.trim();
  if (id) body.waiver_id = id;
  const scope = {};
  const roles = csv($('waiver-roles').value);
  const models = csv($('waiver-models').value);
  if (roles.length) scope.roles = roles;
  if (models.length) scope.model_ids = models;
  if (roles.length || models.length) body.scope = scope;
  const justification = $('waiver-justification').value;
  const approver = $('waiver-approver').value.trim();
  if (justification.trim()) body.justification = justification;
  if (approver) body.approver = approver;
  body.risk = $('waiver-risk').value;
  body.expires_at = $('waiver-expires').value.trim();
  const reply = await api('POST', '/v1/waivers', body);
  if (!reply.ok) {
    showProblem($('waivers-message'), reply, 'Waiver refused');
    return;
  }
  info($('waivers-message'), 'Created waiver ' + reply.body.waiver_id + '.');
  $('waiver-id').value = '';
  $('waiver-justification').value = '';
  await reloadWaivers();
}

async function revokeWaiver(id, reason) {
  const body = reason && reason.trim() ? { reason: reason.trim() } : {};
  const reply = await api('POST', '/v1/waivers/' + enc(id) + '/revoke', body);
  if (!reply.ok) {
    showProblem($('waivers-message'), reply, 'Revocation refused');
    return;
  }
  info($('waivers-message'), 'Revoked waiver ' + id + '.');
  await reloadWaivers();
}

/** Reads the registry again and shows it. */
export async function reloadWaivers() {
  if (await loadWaivers()) renderWaivers();
}

/** The new-waiver form's default expiry: 30 days from now, RFC 3339 in UTC without fractions. */
export function defaultExpiry() {
  return new Date(Date.now() + 30 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
