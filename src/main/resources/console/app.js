// Operator console of the exec-policy PDP: plain DOM and ES modules, no framework, no build step
// (the Content-Security-Policy allows scripts of this origin only: script-src 'self').
// This module wires the page: screens, the token panel, and the controls' events.
import { showTokenPanel, skipped, token, tokenMessage, updateTokenStatus, useToken } from './api.js';
import { $ } from './dom.js';
import { clearProblems } from './messages.js';
import { activateProfile } from './profiles.js';
import { dropDrafts, loadRolesScreen } from './roles.js';
import { refreshTimeline, renderTimeline, schedulePolling } from './timeline.js';
import { createWaiver, defaultExpiry, reloadWaivers } from './waivers.js';

const SCREENS = ['roles', 'waivers', 'timeline'];
let screen = 'roles';

async function showScreen(name) {
  screen = name;
  for (const each of SCREENS) {
    $('screen-' + each).hidden = each !== name;
    $('nav-' + each).classList.toggle('current', each === name);
  }
  schedulePolling(name === 'timeline');
  if (name === 'roles') await loadRolesScreen();
  if (name === 'waivers') await reloadWaivers();
  if (name === 'timeline') await refreshTimeline();
}

/** After the token panel: forget the old refusals and show the screen again with the new token. */
function tokenChosen(value) {
  useToken(value);
  $('token-panel').hidden = true;
  clearProblems();
  showScreen(screen);
}

function start() {
  for (const button of document.querySelectorAll('nav button[data-screen]')) {
    button.addEventListener('click', () => showScreen(button.getAttribute('data-screen')));
  }
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token-input').value.trim();
    if (!value) {
      tokenMessage('Paste a token first.');
      return;
    }
    tokenChosen(value);
  });
  $('token-skip').addEventListener('click', () => tokenChosen(null));
  $('token-change').addEventListener('click', () => showTokenPanel(''));
  $('profile-activate').addEventListener('click', () => activateProfile(async () => {
    dropDrafts();
    await loadRolesScreen();
  }));
  $('waiver-form').addEventListener('submit', createWaiver);
  $('waiver-expires').value = defaultExpiry();
  $('timeline-refresh').addEventListener('click', refreshTimeline);
  $('timeline-live').addEventListener('change', () => schedulePolling(screen === 'timeline'));
  $('filter-role').addEventListener('input', renderTimeline);
  $('filter-downgraded').addEventListener('change', renderTimeline);
  $('filter-trace').addEventListener('input', refreshTimeline);
  updateTokenStatus();
  if (!token() && !skipped()) showTokenPanel('');
  showScreen('roles');
}

// a module runs after the document is parsed (deferred), so the elements are there
start();
