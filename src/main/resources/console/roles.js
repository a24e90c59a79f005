// The roles screen: the four core roles of the active profile and every dynamic role, each with its
// speed preset and approximate execution (only under a waiver that covers it), edited as unsaved drafts
// and saved through PUT /v1/profiles/{id} or PUT /v1/roles/{id}.
import { api } from './api.js';
import { auditLine, changeRecord, changesList } from './changes.js';
import { $, el, enc, clone } from './dom.js';
import { info, show, showProblem } from './messages.js';
import { activeProfile, loadProfiles, profiles, saveAsNewProfile, usedProfileRefusal } from './profiles.js';
import { eligibleWaivers, loadWaivers, waiverStatus, waivers } from './waivers.js';

const CORE_ROLES = ['frontend', 'orchestrator', 'worker', 'validator'];
const PRESETS = ['standard', 'fast_exact', 'fast_approx'];

const roles = {
  items: [],
  drafts: new Map(), // row key -> unsaved {preset, approx, waiverRef, choosing, note, noteKind}
};

/** Unsaved changes are forgotten, e.g. when another profile becomes active. */
export function dropDrafts() {
  roles.drafts.clear();
}

async function loadRoles() {
  const reply = await api('GET', '/v1/roles');
  if (!reply.ok) {
    showProblem($('roles-message'), reply, 'Cannot list roles');
    return;
  }
  roles.items = reply.body.items || [];
}

export async function loadRolesScreen() {
  await Promise.all([loadProfiles(), loadRoles(), loadWaivers()]);
  renderRoles();
}

function assignment(profile, cls) {
  return profile && profile.model_assignments ? profile.model_assignments[cls] : undefined;
}

/** The four core roles of the active profile, then every dynamic role with its class's model. */
function roleRows() {
  const profile = activeProfile();
  const rows = CORE_ROLES.map((role) => {
    const a = assignment(profile, role);
    return { key: 'core:' + role, id: role, kind: 'core', cls: role, model: a ? a.primary_model_id : null,
      compute: (a && a.compute) || null };
  });
  for (const role of roles.items) {
    // a role without inherits (v2) has no class, so no model of a class either
    const a = role.inherits ? assignment(profile, role.inherits) : undefined;
    rows.push({ key: 'dynamic:' + role.role_id, id: role.role_id, kind: 'dynamic', cls: role.inherits,
      model: a ? a.primary_model_id : null, compute: role.compute || null, role });
  }
  return rows;
}

function draftOf(row) {
  const draft = roles.drafts.get(row.key);
  if (draft) return draft;
  const compute = row.compute || {};
  const approximate = compute.approximate || {};
  return { preset: compute.speed_preset || '', approx: approximate.allowed === true,
    waiverRef: approximate.allowed === true ? approximate.waiver_ref || '' : '', choosing: false, note: '' };
}

function setDraft(row, draft) {
  roles.drafts.set(row.key, draft);
  renderRoles();
}

function renderRoles() {
  const profile = activeProfile();
  const body = $('roles-body');
  if (!profile) {
    body.replaceChildren(el('tr', null, el('td', { colspan: 6 },
      'No active work profile: save one with PUT /v1/profiles/{id}, then activate it above.')));
    return;
  }
  body.replaceChildren(...roleRows().map(roleRow));
}

function roleRow(row) {
  const draft = draftOf(row);
  const dirty = roles.drafts.has(row.key);

  const preset = el('select', { class: 'preset-select', onchange: (e) => {
    setDraft(row, Object.assign({}, draftOf(row), { preset: e.target.value }));
  } }, el('option', { value: '' }, '(not set)'), ...PRESETS.map((p) => el('option', { value: p }, p)));
  preset.value = draft.preset;

  const toggle = el('input', { type: 'checkbox', class: 'approx-toggle' });
  toggle.checked = draft.approx;
  toggle.addEventListener('change', () => onToggle(row, toggle.checked));
  const approxCell = el('td', { class: 'approx-cell' },
    el('label', null, toggle, ' Approximate'));
  if (draft.approx) {
    approxCell.append(el('div', { class: 'approx-waiver' }, 'waiver: ' + (draft.waiverRef || '(none)')));
    const waiver = waivers.items.find((w) => w.waiver_id === draft.waiverRef);
    const status = waiver ? waiverStatus(waiver, Date.now()) : 'unknown';
    if (status !== 'active' && status !== 'expiring') {
      approxCell.append(el('div', { class: 'approx-warning' },
        'waiver ' + draft.waiverRef + ' is ' + status + ': decisions for ' + row.id + ' are downgraded to exact'));
    }
  }
  if (draft.choosing) {
    const chooser = el('select', { class: 'waiver-select', onchange: (e) => {
      if (!e.target.value) return;
      setDraft(row, Object.assign({}, draftOf(row),
        { approx: true, waiverRef: e.target.value, choosing: false, note: '' }));
    } }, el('option', { value: '' }, 'choose a waiver...'),
    ...eligibleWaivers(row).map((w) => el('option', { value: w.waiver_id },
      w.waiver_id + ' (until ' + w.expires_at + ')')));
    approxCell.append(chooser);
  }
  if (draft.note) approxCell.append(el('div', { class: 'approx-note ' + (draft.noteKind || '') }, draft.note));

  const tr = el('tr', { class: 'role-row' + (dirty ? ' dirty' : ''), 'data-kind': row.kind },
    el('td', { class: 'role-id' }, row.id),
    el('td', null, row.kind === 'core' ? 'core' : row.cls ? 'dynamic, inherits ' + row.cls : 'dynamic, no class'),
    el('td', { class: 'model' }, row.model == null ? '(no model)'
      : row.model + (row.kind === 'core' ? '' : ' (from ' + row.cls + ')')),
    el('td', null, preset),
    approxCell,
    el('td', null, el('button', { type: 'button', class: 'save-role', onclick: () => saveRole(row) }, 'Save')));
  tr.setAttribute('data-role', row.id);
  return tr;
}

async function onToggle(row, on) {
  const draft = Object.assign({}, draftOf(row));
  if (!on) {
    setDraft(row, Object.assign(draft, { approx: false, waiverRef: '', choosing: false, note: '' }));
    return;
  }
  // only a chosen waiver switches it on: until then the box stays off
  draft.approx = false;
  if (!(await loadWaivers())) {
    setDraft(row, Object.assign(draft, { choosing: false, noteKind: 'refused',
      note: 'Cannot read the waiver registry, so approximate execution stays off.' }));
    return;
  }
  if (!eligibleWaivers(row).length) {
    setDraft(row, Object.assign(draft, { choosing: false, noteKind: 'refused',
      note: 'No active waiver covers ' + row.id + (row.model ? ' (model ' + row.model + ')' : '')
        + ': create one under Waivers.' }));
    return;
  }
  setDraft(row, Object.assign(draft, { choosing: true, noteKind: '',
    note: 'Choose a waiver to switch approximate execution on.' }));
}

function computeFromDraft(row, draft) {
  const compute = clone(row.compute || {});
  if (draft.preset) compute.speed_preset = draft.preset;
  else delete compute.speed_preset;
  const previous = (row.compute && row.compute.approximate) || {};
  if (draft.approx) {
    const approximate = { allowed: true, waiver_ref: draft.waiverRef };
    if (previous.waiver_ref === draft.waiverRef && previous.waiver_expires_at) {
      approximate.waiver_expires_at = previous.waiver_expires_at;
    }
    compute.approximate = approximate;
  } else if (compute.approximate) {
    compute.approximate = { allowed: false };
  }
  return compute;
}

async function saveRole(row) {
  const draft = draftOf(row);
  if (draft.choosing && !draft.approx) {
    setDraft(row, Object.assign({}, draft, { noteKind: 'refused',
      note: 'Approximate execution stays off until you choose a waiver.' }));
    return;
  }
  if (draft.approx && !draft.waiverRef) {
    setDraft(row, Object.assign({}, draft, { noteKind: 'refused', note: 'Choose a waiver first.' }));
    return;
  }
  const compute = computeFromDraft(row, draft);
  let before;
  let after;
  let reply;
  let label;
  if (row.kind === 'core') {
    before = activeProfile();
    after = clone(before);
    if (Object.keys(compute).length) after.model_assignments[row.id].compute = compute;
    else delete after.model_assignments[row.id].compute;
    label = 'profile ' + before.profile_id;
    reply = profiles.usedIds.has(before.profile_id) ? await saveAsNewProfile(after)
      : await api('PUT', '/v1/profiles/' + enc(before.profile_id), after);
    if (usedProfileRefusal(reply)) reply = await saveAsNewProfile(after); // used meanwhile, by any node
  } else {
    before = row.role;
    after = clone(before);
    if (Object.keys(compute).length) after.compute = compute;
    else delete after.compute;
    label = 'dynamic role ' + row.id;
    reply = await api('PUT', '/v1/roles/' + enc(row.id), after);
  }
  const target = $('roles-message');
  const changes = $('roles-changes');
  if (!reply.ok) {
    showProblem(target, reply, 'Refused: saving ' + row.id + ' in ' + label);
    changes.replaceChildren();
    return;
  }
  const saved = reply.body && typeof reply.body === 'object' ? reply.body : after;
  roles.drafts.delete(row.key);
  // the server's record of the save names what changed (model/JsonDiff): the console shows that
  const record = row.kind === 'core'
    ? await changeRecord('work_profile_changed', 'profile_id', reply.savedAs || before.profile_id)
    : await changeRecord('dynamic_role_changed', 'role_id', row.id);
  const count = !record ? 'the change record cannot be read with this token.'
    : record.changed_path_count ? record.changed_path_count + ' change(s).' : 'nothing changed.';
  if (reply.savedAs) {
    show(target, 'info', el('div', { 'data-testid': 'saved-as-new' }, 'Profile ' + before.profile_id
      + ' has been used by decisions and cannot change. Saved ' + row.id + ' in new profile ' + reply.savedAs
      + ', now active in place of ' + before.profile_id + '.'));
  } else {
    info(target, 'Saved ' + row.id + ' in ' + label + ': ' + count);
  }
  if (record) changes.replaceChildren(changesList(record, before, saved), auditLine(record));
  else changes.replaceChildren();
  await loadRolesScreen();
}
