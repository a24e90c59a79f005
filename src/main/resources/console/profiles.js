// Work profiles: the list, the active one, the used (immutable, spec 4.3.7.1) ones, activation, and
// saving a changed copy of a used profile as a new profile.
import { api } from './api.js';
import { $, el, enc, clone } from './dom.js';
import { info, showProblem } from './messages.js';

export const profiles = {
  items: [],
  activeId: null,
  usedIds: new Set(), // profiles a decision has used: immutable (spec 4.3.7.1)
};

export function activeProfile() {
  return profiles.items.find((p) => p.profile_id === profiles.activeId) || null;
}

export async function loadProfiles() {
  const reply = await api('GET', '/v1/profiles');
  if (!reply.ok) {
    showProblem($('profile-message'), reply, 'Cannot list profiles');
    return;
  }
  if ($('profile-message').classList.contains('problem')) $('profile-message').replaceChildren();
  profiles.items = reply.body.items || [];
  profiles.activeId = reply.body.active_profile_id || null;
  profiles.usedIds = new Set(reply.body.used_profile_ids || []);
  const select = $('profile-select');
  const chosen = select.value || profiles.activeId;
  select.replaceChildren(...profiles.items.map((p) =>
    el('option', { value: p.profile_id }, p.profile_id + (p.name ? ' (' + p.name + ')' : '')
      + (profiles.usedIds.has(p.profile_id) ? ' \u2013 used, read-only' : ''))));
  if (chosen) select.value = chosen;
  $('active-profile').textContent = profiles.activeId || 'none';
}

/**
 * The id a changed copy of a used profile is saved under: <id>-2, or the next number free (ids are
 * unique ignoring case); ops-2 becomes ops-3.
 */
function nextProfileId(id) {
  const match = /^(.*)-(\d+)$/.exec(id);
  const base = match ? match[1] : id;
  const taken = new Set(profiles.items.map((p) => String(p.profile_id).toLowerCase()));
  let n = match ? Number(match[2]) + 1 : 2;
  while (taken.has((base + '-' + n).toLowerCase())) n += 1;
  return base + '-' + n;
}

/** True for the server's 409 on a profile a decision has used (not, e.g., an id differing by case). */
export function usedProfileRefusal(reply) {
  return reply.status === 409 && reply.body && /immutable/.test(String(reply.body.detail || ''));
}

/**
 * A used profile cannot change (spec 4.3.7.1): the changed copy is saved as a NEW profile and
 * activated in its place. Answers the PUT's reply, with savedAs set when both steps succeeded.
 */
export async function saveAsNewProfile(after) {
  const newId = nextProfileId(after.profile_id);
  const copy = clone(after);
  copy.profile_id = newId;
  const put = await api('PUT', '/v1/profiles/' + enc(newId), copy);
  if (!put.ok) return put;
  const activated = await api('POST', '/v1/profiles/' + enc(newId) + '/activate');
  if (!activated.ok) return activated;
  return Object.assign({}, put, { savedAs: newId });
}

/** Activates the chosen profile; then() runs after a successful activation. */
export async function activateProfile(then) {
  const id = $('profile-select').value;
  if (!id) return;
  const reply = await api('POST', '/v1/profiles/' + enc(id) + '/activate');
  if (!reply.ok) {
    showProblem($('profile-message'), reply, 'Activation refused');
    return;
  }
  info($('profile-message'), 'Profile ' + id + ' is active.');
  await then();
}
