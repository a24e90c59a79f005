// Operator console of the exec-policy PDP: plain DOM, no framework, no build step.
// Every server-provided string reaches the page through textContent or a text node,
// never through innerHTML, so a role id or a justification is always shown as text.
'use strict';

(function () {
  const TOKEN_KEY = 'pdp.console.token';
  const SKIP_KEY = 'pdp.console.no-token';
  const CORE_ROLES = ['frontend', 'orchestrator', 'worker', 'validator'];
  const PRESETS = ['standard', 'fast_exact', 'fast_approx'];
  const DAY_MS = 24 * 60 * 60 * 1000;
  const POLL_MS = 2000;
  const STATUS_LABELS = {
    active: 'active', expiring: 'expiring within 7 days', expired: 'expired', revoked: 'revoked',
    pending: 'pending a second operator',
  };

  const state = {
    screen: 'roles',
    profiles: [],
    activeProfileId: null,
    usedProfileIds: new Set(), // profiles a decision has used: immutable (spec 4.3.7.1)
    roles: [],
    waivers: [],
    drafts: new Map(), // row key -> unsaved {preset, approx, waiverRef, choosing, note, noteKind}
    selectedDecision: null,
    timer: null,
    timelineBusy: false,
    timelineAgain: false,
    decisions: [], // the last llm_exec_policy records read
    violations: new Map(), // decision_id -> its exec_policy_violation records
  };

  // ---------- small DOM helpers ----------

  function $(id) {
    return document.getElementById(id);
  }

  /** Builds an element; attributes are set with setAttribute, children appended as nodes or text. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child === undefined || child === null) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function show(target, kind, ...children) {
    target.replaceChildren(...children.map((c) => (c instanceof Node ? c : el('div', null, c))));
    target.className = 'message ' + kind;
  }

  function info(target, text) {
    show(target, 'info', text);
  }

  /** Forgets the refusals shown so far (e.g. after a new token), keeping confirmations. */
  function clearProblems() {
    for (const area of document.querySelectorAll('.message.problem')) {
      area.replaceChildren();
      area.className = 'message';
    }
  }

  function problemText(problem) {
    if (!problem) return 'no detail';
    return problem.detail || problem.title || 'no detail';
  }

  /** The server's problem, verbatim: its detail, then every {path, message} of its errors. */
  function showProblem(target, reply, what) {
    const problem = reply.body || {};
    const nodes = [el('div', { class: 'problem-detail', 'data-testid': 'problem-detail' },
      what + ' (' + reply.status + '): ' + problemText(problem))];
    if (Array.isArray(problem.errors) && problem.errors.length) {
      nodes.push(el('ul', { class: 'problem-errors' },
        ...problem.errors.map((e) => el('li', null, (e.path || '') + ': ' + (e.message || '')))));
    }
    show(target, 'problem', ...nodes);
  }

  function enc(id) {
    return encodeURIComponent(id);
  }

  function clone(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  function shown(value) {
    return value === undefined ? '(absent)' : JSON.stringify(value);
  }

  // ---------- token and API ----------

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function updateTokenStatus() {
    $('token-status').textContent = token() ? 'token set for this browser session' : 'no token: read only';
  }

  function showTokenPanel(message) {
    const panel = $('token-panel');
    $('token-message').textContent = message || '';
    if (!panel.hidden) return; // already asking: keep what the user is typing
    panel.hidden = false;
    $('token-input').value = '';
    $('token-input').focus();
  }

  async function api(method, path, body) {
    const headers = { accept: 'application/json, application/problem+json' };
    const bearer = token();
    if (bearer) headers.authorization = 'Bearer ' + bearer;
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      return { ok: false, status: 0, body: { title: 'Network error', detail: String((e && e.message) || e) } };
    }
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (e) {
      json = { detail: text };
    }
    if (response.status === 401 || response.status === 403) {
      const detail = problemText(json);
      showTokenPanel('The server refused the token (' + response.status + '): ' + detail
        + (/[.!?]$/.test(detail) ? '' : '.') + ' Enter another token.');
    }
    return { ok: response.ok, status: response.status, body: json };
  }

  // ---------- profiles ----------

  function activeProfile() {
    return state.profiles.find((p) => p.profile_id === state.activeProfileId) || null;
  }

  async function loadProfiles() {
    const reply = await api('GET', '/v1/profiles');
    if (!reply.ok) {
      showProblem($('profile-message'), reply, 'Cannot list profiles');
      return;
    }
    if ($('profile-message').classList.contains('problem')) $('profile-message').replaceChildren();
    state.profiles = reply.body.items || [];
    state.activeProfileId = reply.body.active_profile_id || null;
    state.usedProfileIds = new Set(reply.body.used_profile_ids || []);
    const select = $('profile-select');
    const chosen = select.value || state.activeProfileId;
    select.replaceChildren(...state.profiles.map((p) =>
      el('option', { value: p.profile_id }, p.profile_id + (p.name ? ' (' + p.name + ')' : '')
        + (state.usedProfileIds.has(p.profile_id) ? ' \u2013 used, read-only' : ''))));
    if (chosen) select.value = chosen;
    $('active-profile').textContent = state.activeProfileId || 'none';
  }

  /**
   * The id a changed copy of a used profile is saved under: <id>-2, or the next number free (ids are
   * unique ignoring case); ops-2 becomes ops-3.
   */
  function nextProfileId(id) {
    const match = /^(.*)-(\d+)$/.exec(id);
    const base = match ? match[1] : id;
    const taken = new Set(state.profiles.map((p) => String(p.profile_id).toLowerCase()));
    let n = match ? Number(match[2]) + 1 : 2;
    while (taken.has((base + '-' + n).toLowerCase())) n += 1;
    return base + '-' + n;
  }

  /** True for the server's 409 on a profile a decision has used (not, e.g., an id differing by case). */
  function usedProfileRefusal(reply) {
    return reply.status === 409 && reply.body && /immutable/.test(String(reply.body.detail || ''));
  }

  /**
   * A used profile cannot change (spec 4.3.7.1): the changed copy is saved as a NEW profile and
   * activated in its place. Answers the PUT's reply, with savedAs set when both steps succeeded.
   */
  async function saveAsNewProfile(after) {
    const newId = nextProfileId(after.profile_id);
    const copy = clone(after);
    copy.profile_id = newId;
    const put = await api('PUT', '/v1/profiles/' + enc(newId), copy);
    if (!put.ok) return put;
    const activated = await api('POST', '/v1/profiles/' + enc(newId) + '/activate');
    if (!activated.ok) return activated;
    return Object.assign({}, put, { savedAs: newId });
  }

  async function activateProfile() {
    const id = $('profile-select').value;
    if (!id) return;
    const reply = await api('POST', '/v1/profiles/' + enc(id) + '/activate');
    if (!reply.ok) {
      showProblem($('profile-message'), reply, 'Activation refused');
      return;
    }
    info($('profile-message'), 'Profile ' + id + ' is active.');
    state.drafts.clear();
    await loadRolesScreen();
  }

  // ---------- waivers ----------

  function waiverStatus(waiver, now) {
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
  function eligibleWaivers(row) {
    const now = Date.now();
    return state.waivers.filter((w) => {
      const status = waiverStatus(w, now);
      if (w.check_waived !== 'approximate_execution' || (status !== 'active' && status !== 'expiring')) return false;
      const scope = w.scope || {};
      const roleOk = !Array.isArray(scope.roles) || scope.roles.includes(row.id) || scope.roles.includes(row.cls);
      const modelOk = !Array.isArray(scope.model_ids) || (row.model != null && scope.model_ids.includes(row.model));
      return roleOk && modelOk;
    });
  }

  async function loadWaivers() {
    const reply = await api('GET', '/v1/waivers');
    if (!reply.ok) {
      showProblem($('waivers-message'), reply, 'Cannot list waivers');
      return false;
    }
    state.waivers = reply.body.items || [];
    return true;
  }

  function renderWaivers() {
    const now = Date.now();
    const rows = state.waivers.slice().sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
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
    await loadWaivers();
    renderWaivers();
  }

  function csv(value) {
    return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  }

  async function createWaiver(event) {
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
    await loadWaivers();
    renderWaivers();
  }

  async function revokeWaiver(id, reason) {
    const body = reason && reason.trim() ? { reason: reason.trim() } : {};
    const reply = await api('POST', '/v1/waivers/' + enc(id) + '/revoke', body);
    if (!reply.ok) {
      showProblem($('waivers-message'), reply, 'Revocation refused');
      return;
    }
    info($('waivers-message'), 'Revoked waiver ' + id + '.');
    await loadWaivers();
    renderWaivers();
  }

  function defaultExpiry() {
    return new Date(Date.now() + 30 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  // ---------- roles ----------

  async function loadRoles() {
    const reply = await api('GET', '/v1/roles');
    if (!reply.ok) {
      showProblem($('roles-message'), reply, 'Cannot list roles');
      return;
    }
    state.roles = reply.body.items || [];
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
    for (const role of state.roles) {
      // a role without inherits (v2) has no class, so no model of a class either
      const a = role.inherits ? assignment(profile, role.inherits) : undefined;
      rows.push({ key: 'dynamic:' + role.role_id, id: role.role_id, kind: 'dynamic', cls: role.inherits,
        model: a ? a.primary_model_id : null, compute: role.compute || null, role });
    }
    return rows;
  }

  function draftOf(row) {
    const draft = state.drafts.get(row.key);
    if (draft) return draft;
    const compute = row.compute || {};
    const approximate = compute.approximate || {};
    return { preset: compute.speed_preset || '', approx: approximate.allowed === true,
      waiverRef: approximate.allowed === true ? approximate.waiver_ref || '' : '', choosing: false, note: '' };
  }

  function setDraft(row, draft) {
    state.drafts.set(row.key, draft);
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
    const dirty = state.drafts.has(row.key);

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
      const waiver = state.waivers.find((w) => w.waiver_id === draft.waiverRef);
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

  /** JSON-pointer paths where before and after differ, with both values. */
  function diff(before, after, path, out) {
    const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
    // an object that appears or disappears is listed field by field
    if (before === undefined && isObject(after)) before = {};
    if (after === undefined && isObject(before)) after = {};
    if (isObject(before) && isObject(after)) {
      const keys = Array.from(new Set(Object.keys(before).concat(Object.keys(after)))).sort();
      for (const key of keys) {
        diff(before[key], after[key], path + '/' + key.replace(/~/g, '~0').replace(/\//g, '~1'), out);
      }
    } else if (JSON.stringify(before) !== JSON.stringify(after)) {
      out.push({ path: path || '/', before, after });
    }
    return out;
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
      reply = state.usedProfileIds.has(before.profile_id) ? await saveAsNewProfile(after)
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
    if (!reply.ok) {
      showProblem(target, reply, 'Refused: saving ' + row.id + ' in ' + label);
      $('roles-changes').replaceChildren();
      return;
    }
    const saved = reply.body && typeof reply.body === 'object' ? reply.body : after;
    const changes = diff(before, saved, '', []);
    state.drafts.delete(row.key);
    if (reply.savedAs) {
      show(target, 'info', el('div', { 'data-testid': 'saved-as-new' }, 'Profile ' + before.profile_id
        + ' has been used by decisions and cannot change. Saved ' + row.id + ' in new profile ' + reply.savedAs
        + ', now active in place of ' + before.profile_id + ': ' + changes.length + ' change(s).'));
    } else {
      info(target, 'Saved ' + row.id + ' in ' + label + ': '
        + (changes.length ? changes.length + ' change(s).' : 'nothing changed.'));
    }
    $('roles-changes').replaceChildren(el('ul', { id: 'changes-list' }, ...changes.map((c) =>
      el('li', { class: 'change' }, el('code', { class: 'change-path' }, c.path), ': ' + shown(c.before)
        + ' \u2192 ' + shown(c.after)))));
    await loadRolesScreen();
    if (row.kind === 'core') showAudit('work_profile_changed', 'profile_id', reply.savedAs || before.profile_id);
    else showAudit('dynamic_role_changed', 'role_id', row.id);
  }

  /** The newest audit record of the change, when the server keeps one (older servers do not). */
  async function showAudit(type, idField, id) {
    const reply = await api('GET', '/v1/events?type=' + type + '&limit=1');
    if (!reply.ok || !reply.body || !Array.isArray(reply.body.items) || !reply.body.items.length) return;
    const record = reply.body.items[0];
    if (record[idField] !== undefined && record[idField] !== id) return; // someone else's change
    const who = record.operator || record.actor || '';
    const paths = Array.isArray(record.changed_paths) ? ' changed_paths: ' + record.changed_paths.join(', ') : '';
    $('roles-changes').append(el('p', { class: 'audit', 'data-testid': 'audit-record' },
      'Recorded as ' + type + ' ' + (record.event_id || '') + (who ? ' by ' + who : '') + '.' + paths));
  }

  async function loadRolesScreen() {
    await Promise.all([loadProfiles(), loadRoles(), loadWaivers()]);
    renderRoles();
  }

  // ---------- evidence timeline ----------

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

  async function refreshTimeline() {
    if (state.timelineBusy) {
      state.timelineAgain = true; // a filter changed while a poll was on its way: ask again after it
      return;
    }
    state.timelineBusy = true;
    try {
      const params = new URLSearchParams({ type: 'llm_exec_policy', limit: '50' });
      const trace = $('filter-trace').value.trim();
      if (trace) params.set('trace_id', trace);
      const reply = await api('GET', '/v1/events?' + params.toString());
      if (!reply.ok) {
        showProblem($('timeline-message'), reply, 'Cannot read the Flight Recorder');
        return;
      }
      state.violations = await violationsByDecision();
      // a report adds a second llm_exec_policy (phase executed): the timeline shows decisions only
      state.decisions = (reply.body.items || []).filter(r => r.phase !== 'executed');
      $('timeline-message').replaceChildren();
      $('timeline-updated').textContent = 'updated ' + new Date().toLocaleTimeString();
      renderTimeline();
    } finally {
      state.timelineBusy = false;
      if (state.timelineAgain) {
        state.timelineAgain = false;
        refreshTimeline();
      }
    }
  }

  /** The last records read, filtered by role (substring) and downgraded-only, newest first. */
  function renderTimeline() {
    const role = $('filter-role').value.trim();
    const downgradedOnly = $('filter-downgraded').checked;
    const items = state.decisions.filter((r) =>
      (!role || String(r.role).includes(role)) && (!downgradedOnly || r.downgraded === true));
    $('timeline-body').replaceChildren(...items.map(decisionRow));
    if (!items.length) {
      $('timeline-body').append(el('tr', null, el('td', { colspan: 9 }, 'No decisions match.')));
    }
  }

  function decisionRow(record) {
    const violations = state.violations.get(record.decision_id) || [];
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
    const tr = el('tr', {
      class: 'decision-row' + (record.decision_id === state.selectedDecision ? ' selected' : ''),
      tabindex: 0, 'data-downgraded': String(record.downgraded === true),
      onclick: () => showDecision(record.decision_id),
      onkeydown: (e) => { if (e.key === 'Enter') showDecision(record.decision_id); },
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

  async function showDecision(decisionId) {
    state.selectedDecision = decisionId;
    for (const row of document.querySelectorAll('#timeline-body tr.decision-row')) {
      row.classList.toggle('selected', row.getAttribute('data-decision-id') === decisionId);
    }
    const reply = await api('GET', '/v1/decisions/' + enc(decisionId) + '?explain=full');
    const panel = $('decision-detail');
    panel.hidden = false;
    $('detail-id').textContent = decisionId;
    if (!reply.ok) {
      $('detail-summary').replaceChildren(el('div', { class: 'problem' }, problemText(reply.body)));
      $('detail-firings').replaceChildren();
      return;
    }
    const d = reply.body;
    const violations = (state.violations && state.violations.get(decisionId)) || [];
    const fields = [
      ['trace id', d.trace_id], ['role', d.role], ['model', d.model_id], ['profile', d.profile_id],
      ['requested (' + d.requested_source + ')', JSON.stringify(d.requested_policy)],
      ['effective', JSON.stringify(d.effective_policy)],
      ['downgraded', d.downgraded ? 'yes: ' + (d.downgrade_reason || '') : 'no'],
      ['reason codes', (d.reason_codes || []).join(', ') || '\u2014'],
      ['adjustments', (d.adjustments || []).join(', ') || '\u2014'],
      ['waiver', d.waiver_ref || '\u2014'],
      ['trace artifact', d.trace_artifact_ref || d.trace_artifact_null_reason || '\u2014'],
      ['ruleset digest', d.ruleset ? d.ruleset.digest : ''],
      ['violations', violations.length ? violations.map((v) => JSON.stringify(v)).join('\n') : 'none'],
    ];
    $('detail-summary').replaceChildren(...fields.flatMap(([name, value]) =>
      [el('dt', null, name), el('dd', null, value == null ? '\u2014' : value)]));
    let entries;
    if (Array.isArray(d.explain)) {
      entries = d.explain.map((e) => el('li', { class: 'firing ' + (e.outcome || 'fired') },
        el('span', { class: 'rule-name' }, e.rule_name),
        e.outcome === 'cancelled' ? ' (cancelled before firing)' : '',
        e.description ? el('div', { class: 'rule-description' }, e.description) : null));
    } else {
      entries = (d.rule_firings || []).map((f) => el('li', { class: 'firing fired' },
        el('span', { class: 'rule-name' }, f.rule_name)));
    }
    $('detail-firings').replaceChildren(...entries);
  }

  function schedulePolling() {
    if (state.timer) {
      clearInterval(state.timer);
      state.timer = null;
    }
    if (state.screen === 'timeline' && $('timeline-live').checked) {
      state.timer = setInterval(refreshTimeline, POLL_MS);
    }
  }

  // ---------- screens ----------

  async function showScreen(name) {
    state.screen = name;
    for (const screen of ['roles', 'waivers', 'timeline']) {
      $('screen-' + screen).hidden = screen !== name;
      $('nav-' + screen).classList.toggle('current', screen === name);
    }
    schedulePolling();
    if (name === 'roles') await loadRolesScreen();
    if (name === 'waivers' && (await loadWaivers())) renderWaivers();
    if (name === 'timeline') await refreshTimeline();
  }

  function start() {
    for (const button of document.querySelectorAll('nav button[data-screen]')) {
      button.addEventListener('click', () => showScreen(button.getAttribute('data-screen')));
    }
    $('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const value = $('token-input').value.trim();
      if (!value) {
        $('token-message').textContent = 'Paste a token first.';
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, value);
      sessionStorage.removeItem(SKIP_KEY);
      $('token-panel').hidden = true;
      clearProblems();
      updateTokenStatus();
      showScreen(state.screen);
    });
    $('token-skip').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      sessionStorage.setItem(SKIP_KEY, '1');
      $('token-panel').hidden = true;
      clearProblems();
      updateTokenStatus();
      showScreen(state.screen);
    });
    $('token-change').addEventListener('click', () => showTokenPanel(''));
    $('profile-activate').addEventListener('click', activateProfile);
    $('waiver-form').addEventListener('submit', createWaiver);
    $('waiver-expires').value = defaultExpiry();
    $('timeline-refresh').addEventListener('click', refreshTimeline);
    $('timeline-live').addEventListener('change', schedulePolling);
    $('filter-role').addEventListener('input', renderTimeline);
    $('filter-downgraded').addEventListener('change', renderTimeline);
    $('filter-trace').addEventListener('input', refreshTimeline);
    updateTokenStatus();
    if (!token() && !sessionStorage.getItem(SKIP_KEY)) showTokenPanel('');
    showScreen('roles');
  }

  document.addEventListener('DOMContentLoaded', start);
}());
