// What a registry save changed, as the SERVER computed it: the changed_paths (JSON Pointers, model/JsonDiff)
// of the work_profile_changed or dynamic_role_changed record the save wrote. The console computes no diff
// of its own; it only looks up the value before and after at each path the server names.
import { api } from './api.js';
import { el, shown } from './dom.js';

const LOOKBACK = 20; // records of the type read to find this save's own (others may save meanwhile)

/** The value at a JSON Pointer (RFC 6901) in a document; undefined where there is none. */
function at(doc, pointer) {
  let value = doc;
  for (const token of pointer.split('/').slice(1)) {
    const name = token.replace(/~1/g, '/').replace(/~0/g, '~');
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, name)) {
      return undefined;
    }
    value = value[name];
  }
  return value;
}

/**
 * The newest record of the type about this id (idField = profile_id or role_id), or null when the
 * server has none to show (e.g. a token that cannot read events).
 */
export async function changeRecord(type, idField, id) {
  const reply = await api('GET', '/v1/events?type=' + type + '&limit=' + LOOKBACK);
  if (!reply.ok || !reply.body || !Array.isArray(reply.body.items)) return null;
  return reply.body.items.find((record) => record[idField] === id) || null;
}

/** One line per path the server lists: the path, and the value before and after (a new entry: whole). */
export function changesList(record, before, after) {
  const paths = record.changed_paths || [];
  const items = paths.map((path) => (path === ''
    ? el('li', { class: 'change' }, el('code', { class: 'change-path' }, '(whole document)'), ': new entry')
    : el('li', { class: 'change' }, el('code', { class: 'change-path' }, path), ': '
      + shown(at(before, path)) + ' \u2192 ' + shown(at(after, path)))));
  const more = (record.changed_path_count || 0) - paths.length;
  if (more > 0) items.push(el('li', { class: 'change' }, 'and ' + more + ' more'));
  return el('ul', { id: 'changes-list' }, ...items);
}

/** Where the change is recorded, and by whom. */
export function auditLine(record) {
  const who = record.operator || record.actor || '';
  return el('p', { class: 'audit', 'data-testid': 'audit-record' },
    'Recorded as ' + record.type + ' ' + (record.event_id || '') + (who ? ' by ' + who : '')
    + ' (before ' + shortHash(record.before_hash) + ', after ' + shortHash(record.after_hash) + ').');
}

function shortHash(hash) {
  return hash ? String(hash).slice(0, 12) : 'none';
}
