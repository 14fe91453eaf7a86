// Login, session restore, logout, and what the page loads once someone is logged in.
import { api, MSG_EXPIRED } from './api.js';
import { forgetChannels, loadChannels } from './channels.js';
import { $, clear, fillSelect } from './dom.js';
import { openFromHash } from './keyboard.js';
import { ROLE } from './labels.js';
import { closeLive, connectLive } from './live.js';
import { setupTabs, setView } from './overview.js';
import { tickWaiting } from './queue.js';
import { refreshAll } from './refresh.js';
import { loadTemplateView } from './templates.js';
import { updateCounter } from './reply.js';
import { state } from './state.js';

export function showLogin(errorText, infoText) {
  $('main').hidden = true;
  $('login-screen').hidden = false;
  $('login-error').textContent = errorText || '';
  $('login-info').textContent = infoText || '';
  document.title = 'ログイン｜相談コンソール';
  $('login-username').focus();
}

function showTotp(show) {
  $('login-totp-row').hidden = !show;
  $('login-totp').required = show;
  if (!show) $('login-totp').value = '';
}

export async function onLoginSubmit(e) {
  e.preventDefault();
  const btn = $('login-submit');
  $('login-error').textContent = '';
  $('login-info').textContent = '';
  const body = { username: $('login-username').value.trim(), password: $('login-password').value };
  if (!$('login-totp-row').hidden && $('login-totp').value.trim()) body.totp = $('login-totp').value.trim();
  btn.disabled = true;
  try {
    const data = await api('POST', '/api/login', body, { noRedirect: true });
    $('login-password').value = '';
    showTotp(false);
    enterMain(data);
  } catch (err) {
    let text = err.message;
    if (err.code === 'totp_required') {
      // Second factor is only asked for once the password was accepted.
      showTotp(true);
      $('login-totp').focus();
    } else if (err.code === 'locked' && err.data.retry_after_s) {
      text += `（約${Math.max(1, Math.ceil(err.data.retry_after_s / 60))}分後に再度お試しください）`;
    }
    $('login-error').textContent = text;
  } finally {
    btn.disabled = false;
  }
}

// Any 401 outside the login form: drop everything and ask for a new login.
export function sessionLost(err) {
  if (!state.user) return;
  teardown();
  const extra = err && err.data && err.data.message && err.data.message !== MSG_EXPIRED ? `\n${err.data.message}` : '';
  showLogin(MSG_EXPIRED + extra);
}

export async function logout() {
  try { await api('POST', '/api/logout', {}, { noRedirect: true }); } catch (e) { /* leaving anyway */ }
  teardown();
  showLogin('', 'ログアウトしました。');
}

// Forget the user and everything shown for them (shared municipal PCs).
function teardown() {
  state.user = null;
  state.csrf = '';
  closeLive();
  clearInterval(state.ticker);
  clearTimeout(state.refreshTimer);
  clearTimeout(state.msgTimer);
  Object.assign(state, { queue: [], overview: [], detail: null, messages: [], openId: null, selectedId: null, view: 'queue', alertTargetId: null });
  state.localOut.clear(); state.pendingDelivery.clear(); state.drafts.clear(); state.seenEmergency.clear();
  forgetChannels();
  ['queue', 'messages', 'entries', 'overview-body', 'household-list', 'view-tabs'].forEach((id) => clear($(id)));
  $('reply-text').value = '';
  $('note-text').value = '';
  ['search-contact', 'search-tag', 'search-from', 'search-to', 'message-search'].forEach((id) => { $(id).value = ''; });
  $('conversation-closed').textContent = '';
  $('emergency-alert').hidden = true;
  $('conversation-body').hidden = true;
  $('conversation-empty').hidden = false;
  $('case-body').hidden = true;
  $('case-empty').hidden = false;
  $('overview').hidden = true;
  $('templates-view').hidden = true;
  history.replaceState(null, '', location.pathname + location.search);
}

export async function enterMain(data) {
  state.user = data.user || {};
  state.csrf = data.csrf_token || '';
  $('login-screen').hidden = true;
  $('main').hidden = false;
  $('user-name').textContent = state.user.username || '';
  $('user-role').textContent = ROLE[state.user.role] || state.user.role || '';
  document.title = '相談コンソール｜madoguchi';
  const isAdmin = state.user.role === 'admin';
  $('beep-label').hidden = isAdmin;
  $('help-open').hidden = isAdmin;

  if (isAdmin) {
    // Administrators configure the system; they never read consultations.
    $('admin-notice').hidden = false;
    $('workspace').hidden = true;
    $('live-status').textContent = '';
    $('templates-view').hidden = false; // 定型文 hold no consultation: administrators keep them too
    loadTemplateView();
    return;
  }
  $('admin-notice').hidden = true;
  $('workspace').hidden = false;
  setupTabs();
  setView('queue');
  await loadReferenceData();
  if (!state.user) return; // session died while loading
  fillWindowFilter();
  updateCounter();
  refreshAll();
  connectLive();
  state.ticker = setInterval(tickWaiting, 30000);
  openFromHash();
}

async function loadReferenceData() {
  const [w, s] = await Promise.allSettled([api('GET', '/api/windows'), api('GET', '/api/staff'), loadChannels()]);
  state.windows = w.status === 'fulfilled' ? (w.value.windows || []) : (state.user.windows || []);
  state.staff = s.status === 'fulfilled' ? (s.value.staff || []) : [];
  // Without channels the UI shows raw types and no limit; the server still enforces it.
}

// Counselors filter only among their own windows; supervisors see all.
function fillWindowFilter() {
  const own = state.user.role === 'supervisor' ? state.windows : (state.user.windows || []);
  const allLabel = state.user.role === 'supervisor' ? 'すべての窓口' : '担当の窓口すべて';
  fillSelect($('filter-window'), [['', allLabel]].concat(own.map((w) => [String(w.id), w.name])), '');
}
