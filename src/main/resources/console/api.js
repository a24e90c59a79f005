// The API client: the bearer token of this browser session, and one fetch wrapper that answers
// {ok, status, body} for every reply (a network failure included) and asks for another token on 401/403.
import { $ } from './dom.js';
import { problemText } from './messages.js';

const TOKEN_KEY = 'pdp.console.token';
const SKIP_KEY = 'pdp.console.no-token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** True once the user chose to go on without a token in this session. */
export function skipped() {
  return sessionStorage.getItem(SKIP_KEY) !== null;
}

/** Keeps the token for this browser session (null: read only, without asking again). */
export function useToken(value) {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
    sessionStorage.removeItem(SKIP_KEY);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.setItem(SKIP_KEY, '1');
  }
  updateTokenStatus();
}

export function updateTokenStatus() {
  $('token-status').textContent = token() ? 'token set for this browser session' : 'no token: read only';
}

/** The token message, hidden while it has nothing to say. */
export function tokenMessage(text) {
  $('token-message').textContent = text || '';
  $('token-message').hidden = !text;
}

export function showTokenPanel(message) {
  const panel = $('token-panel');
  tokenMessage(message);
  if (!panel.hidden) return; // already asking: keep what the user is typing
  panel.hidden = false;
  $('token-input').value = '';
  $('token-input').focus();
}

export async function api(method, path, body) {
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
