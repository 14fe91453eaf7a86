/* madoguchi 相談コンソール — static UI (vanilla JS as native ES modules, no build step).
 * Contract: /api (REST, JSON) + /api/live (WebSocket). All untrusted text is
 * rendered with textContent; no innerHTML with data, no inline handlers (CSP).
 * Every module file is listed in gateway/console/CMakeLists.txt, which embeds and serves it. */
import { api, onUnauthorized } from './api.js';
import { bindCasePanel } from './case_panel.js';
import { bindCaseTabs } from './case_tabs.js';
import { bindMessageSearch } from './message_search.js';
import { $, fillSelect } from './dom.js';
import { BEEP_KEY, onBeepToggle } from './emergency.js';
import { todayTokyo } from './format.js';
import { onKeyDown, openFromHash, toggleHelp } from './keyboard.js';
import { METHOD } from './labels.js';
import { openConversation } from './conversation.js';
import { clearSearch, loadQueue, onSearch } from './queue.js';
import { onReplyKey, sendReply, updateCounter } from './reply.js';
import { enterMain, logout, onLoginSubmit, sessionLost, showLogin } from './session.js';
import { state } from './state.js';
import { bindTemplates } from './templates.js';

function bind() {
  onUnauthorized(sessionLost);
  $('login-form').addEventListener('submit', onLoginSubmit);
  $('logout').addEventListener('click', logout);
  ['filter-window', 'filter-status', 'filter-urgency', 'filter-mine'].forEach((id) => $(id).addEventListener('change', loadQueue));
  $('queue-filters').addEventListener('submit', onSearch); // Enter in a search field, or 検索
  $('search-clear').addEventListener('click', clearSearch);
  $('reply-form').addEventListener('submit', sendReply);
  $('reply-text').addEventListener('keydown', onReplyKey);
  $('reply-text').addEventListener('input', updateCounter);
  bindCasePanel();
  bindCaseTabs();
  bindMessageSearch();
  bindTemplates();
  $('emergency-open').addEventListener('click', () => {
    $('emergency-alert').hidden = true;
    if (state.alertTargetId) openConversation(state.alertTargetId);
  });
  $('emergency-close').addEventListener('click', () => { $('emergency-alert').hidden = true; });
  $('beep-toggle').addEventListener('change', onBeepToggle);
  $('help-open').addEventListener('click', toggleHelp);
  $('help-close').addEventListener('click', () => $('help-dialog').close());
  document.addEventListener('keydown', onKeyDown);
  window.addEventListener('hashchange', openFromHash);
}

async function start() {
  bind();
  try { $('beep-toggle').checked = localStorage.getItem(BEEP_KEY) === '1'; } catch (e) { /* private mode */ }
  fillSelect($('contact-method'), METHOD, 'phone');
  $('contact-date').value = todayTokyo();
  try {
    const data = await api('GET', '/api/session', null, { noRedirect: true });
    enterMain(data);
  } catch (err) {
    // 401 simply means "not logged in yet": no error on a fresh visit.
    showLogin(err.status === 401 ? '' : err.message);
  }
}

// A module script runs after the document is parsed (it is deferred).
start();
