/* madoguchi 相談コンソール — static UI (vanilla JS, no build step).
 * Contract: /api (REST, JSON) + /api/live (WebSocket). All untrusted text is
 * rendered with textContent; no innerHTML with data, no inline handlers (CSP). */
(function () {
  'use strict';

  // ---------------------------------------------------------------- constants
  const URGENCY = { emergency: '緊急', high: '高', normal: '通常', info: '情報提供' };
  const STATUS = { open: '対応中', closed: '終了' };
  const CHANNEL = { line: 'LINE', email: 'メール', web: 'Webチャット', messenger: 'Messenger', instagram: 'Instagram' };
  const ROLE = { counselor: '相談員', supervisor: 'スーパーバイザー', admin: '管理者' };
  const WRITER = [['', '未確認'], ['self', '本人'], ['family', '家族'], ['agency', '支援機関'], ['other', 'その他']];
  const AGE_BAND = [['', '不明'], ['under_15', '15歳未満'], ['15_19', '15〜19歳'], ['20s', '20代'], ['30s', '30代'],
    ['40s', '40代'], ['50s', '50代'], ['60_plus', '60歳以上']];
  const CONSENT = [['', '未確認'], ['person', '本人同意'], ['family', '家族同意'], ['support_meeting', '支援会議'],
    ['refused', '同意なし'], ['vital', '生命・身体の保護（緊急）']];
  const METHOD = [['phone', '電話'], ['visit', '来所'], ['outreach', '訪問'], ['other', 'その他']];
  const DELIVERY = { queued: '送信待ち', sending: '送信中', delivered: '送信済み', failed: '送信できませんでした' };
  const MEDIA = { image: '［画像］', sticker: '［スタンプ］', video: '［動画］', audio: '［音声］', file: '［ファイル］', location: '［位置情報］' };
  const MSG_EXPIRED = 'セッションの有効期限が切れました。もう一度ログインしてください。';
  const MSG_NETWORK = 'サーバーに接続できませんでした。ネットワークの状態を確認してください。';
  const REPLY_MAX = 5000;
  const AUTO_REPLY = { first_reply: '受付のお知らせ', after_hours: '時間外のご案内', emergency: '緊急時のご案内' };
  const BEEP_KEY = 'madoguchi.console.beep';

  // -------------------------------------------------------------------- state
  const state = {
    user: null, csrf: '',
    windows: [], staff: [],
    queue: [], overview: [],
    selectedId: null,          // keyboard selection in the queue (j/k)
    openId: null,              // conversation shown in the middle column
    detail: null,              // GET /api/conversations/{id} payload
    messages: [],
    localOut: new Map(),       // replies we just sent, until the server list contains them
    pendingDelivery: new Map(),// delivery events that arrived before the reply response
    drafts: new Map(),         // reply drafts per conversation, so switching does not lose text
    seenEmergency: new Set(), alertTargetId: null,
    view: 'queue',
    ws: null, wsRetry: 0, wsTimer: null, wsOpenedOnce: false,
    refreshTimer: null, msgTimer: null, ticker: null,
    queueSeq: 0, audio: null,
  };

  // ---------------------------------------------------------------- DOM helpers
  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function fillSelect(select, pairs, value) {
    clear(select);
    pairs.forEach(([v, label]) => {
      const opt = el('option', '', label);
      opt.value = v;
      select.appendChild(opt);
    });
    if (value !== undefined) select.value = value;
  }

  let toastTimer = null;
  function toast(text) {
    const t = $('toast');
    t.textContent = text;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.textContent = ''; }, 4000);
  }

  const enc = encodeURIComponent;
  const sameId = (a, b) => a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);

  // --------------------------------------------------------------- formatting
  const timeFmt = new Intl.DateTimeFormat('ja-JP', {
    timeZone: 'Asia/Tokyo', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
  const dayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' });

  // "12/01 21:05" in Japan time, whatever the counselor's machine is set to.
  function formatTime(ms) {
    if (typeof ms !== 'number' || !isFinite(ms)) return '';
    const p = {};
    timeFmt.formatToParts(new Date(ms)).forEach((x) => { p[x.type] = x.value; });
    return `${p.month}/${p.day} ${p.hour}:${p.minute}`;
  }

  function todayTokyo() { return dayFmt.format(new Date()); } // YYYY-MM-DD

  function formatDuration(mins) {
    if (mins < 60) return `${mins}分`;
    const h = Math.floor(mins / 60), m = mins % 60;
    if (h < 24) return m ? `${h}時間${m}分` : `${h}時間`;
    const d = Math.floor(h / 24), hh = h % 24;
    return hh ? `${d}日${hh}時間` : `${d}日`;
  }

  // null waiting_since_ms means the last message was answered.
  function formatWaiting(since) {
    if (since === null || since === undefined) return '返信済み';
    const mins = Math.max(0, Math.floor((Date.now() - since) / 60000));
    return `待ち ${formatDuration(mins)}`;
  }

  const urgencyLabel = (c) => c.urgency_label || URGENCY[c.urgency] || c.urgency || '';
  const assigneeText = (a) => (a ? `担当: ${a}` : '未割当');
  const labelOf = (pairs, v) => { const f = pairs.find((p) => p[0] === (v || '')); return f ? f[1] : v; };

  function urgencyBadge(c) {
    // Colour is only a hint: the Japanese label is always written out.
    const code = URGENCY[c.urgency] ? c.urgency : 'normal';
    return el('span', `urgency urgency-${code}`, urgencyLabel(c));
  }

  // ---------------------------------------------------------------------- API
  class ApiError extends Error {
    constructor(status, data) {
      const d = data || {};
      super(d.message || (status ? `エラーが発生しました（${status}）。` : MSG_NETWORK));
      this.status = status;
      this.code = d.error || '';
      this.data = d;
    }
  }

  // One place for credentials, CSRF header and the 401 → login rule.
  async function api(method, path, body, opts) {
    const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (method !== 'GET') {
      init.headers['Content-Type'] = 'application/json';
      if (state.csrf) init.headers['X-CSRF-Token'] = state.csrf;
      init.body = JSON.stringify(body || {});
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, { message: MSG_NETWORK });
    }
    let data = null;
    if (res.status !== 204) {
      const raw = await res.text().catch(() => '');
      if (raw) { try { data = JSON.parse(raw); } catch (e) { data = null; } }
    }
    if (!res.ok) {
      const err = new ApiError(res.status, data);
      if (res.status === 401 && !(opts && opts.noRedirect)) sessionLost(err);
      throw err;
    }
    return data || {};
  }

  const convPath = (id, suffix) => `/api/conversations/${enc(id)}${suffix || ''}`;

  // ------------------------------------------------------------ login / session
  function showLogin(errorText, infoText) {
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

  async function onLoginSubmit(e) {
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
  function sessionLost(err) {
    if (!state.user) return;
    teardown();
    const extra = err && err.data && err.data.message && err.data.message !== MSG_EXPIRED ? `\n${err.data.message}` : '';
    showLogin(MSG_EXPIRED + extra);
  }

  async function logout() {
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
    ['queue', 'messages', 'entries', 'overview-body', 'household-list', 'view-tabs'].forEach((id) => clear($(id)));
    $('reply-text').value = '';
    $('note-text').value = '';
    $('emergency-alert').hidden = true;
    $('conversation-body').hidden = true;
    $('conversation-empty').hidden = false;
    $('case-body').hidden = true;
    $('case-empty').hidden = false;
    $('overview').hidden = true;
    history.replaceState(null, '', location.pathname + location.search);
  }

  async function enterMain(data) {
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
      return;
    }
    $('admin-notice').hidden = true;
    $('workspace').hidden = false;
    setupTabs();
    setView('queue');
    await loadReferenceData();
    if (!state.user) return; // session died while loading
    fillWindowFilter();
    refreshAll();
    connectLive();
    state.ticker = setInterval(tickWaiting, 30000);
    openFromHash();
  }

  async function loadReferenceData() {
    const [w, s] = await Promise.allSettled([api('GET', '/api/windows'), api('GET', '/api/staff')]);
    state.windows = w.status === 'fulfilled' ? (w.value.windows || []) : (state.user.windows || []);
    state.staff = s.status === 'fulfilled' ? (s.value.staff || []) : [];
  }

  // Counselors filter only among their own windows; supervisors see all.
  function fillWindowFilter() {
    const own = state.user.role === 'supervisor' ? state.windows : (state.user.windows || []);
    const allLabel = state.user.role === 'supervisor' ? 'すべての窓口' : '担当の窓口すべて';
    fillSelect($('filter-window'), [['', allLabel]].concat(own.map((w) => [String(w.id), w.name])), '');
  }

  // ------------------------------------------------------------------- queue
  function queueQuery() {
    const p = new URLSearchParams();
    if ($('filter-window').value) p.set('window', $('filter-window').value);
    p.set('status', $('filter-status').value || 'open');
    if ($('filter-urgency').value) p.set('urgency', $('filter-urgency').value);
    if ($('filter-mine').checked) p.set('mine', '1');
    return p.toString();
  }

  async function loadQueue() {
    const seq = ++state.queueSeq; // ignore answers overtaken by a newer request
    let data;
    try {
      data = await api('GET', `/api/conversations?${queueQuery()}`);
    } catch (err) {
      if (seq === state.queueSeq && state.user) $('queue-error').textContent = err.message;
      return;
    }
    if (seq !== state.queueSeq || !state.user) return;
    $('queue-error').textContent = '';
    state.queue = data.conversations || [];
    renderQueue();
    checkEmergencies(state.queue);
  }

  function renderQueue() {
    const list = $('queue');
    const focusedId = document.activeElement && document.activeElement.classList.contains('queue-item')
      ? document.activeElement.dataset.id : null;
    clear(list);
    state.queue.forEach((c) => list.appendChild(buildQueueItem(c)));
    $('queue-count').textContent = `（${state.queue.length}件）`;
    $('queue-empty').hidden = state.queue.length > 0;
    // Keep keyboard users where they were when a live update re-renders the list.
    if (focusedId) {
      const again = queueButton(focusedId);
      if (again) again.focus();
    }
  }

  function buildQueueItem(c) {
    const li = el('li', 'queue-row');
    const btn = el('button', 'queue-item');
    btn.type = 'button';
    btn.dataset.id = String(c.id);
    if (sameId(c.id, state.openId)) btn.setAttribute('aria-current', 'true');
    if (sameId(c.id, state.selectedId)) btn.classList.add('selected');
    btn.appendChild(urgencyBadge(c));
    btn.appendChild(el('span', 'contact', c.contact));
    btn.appendChild(el('span', 'window', c.window ? c.window.name : ''));
    btn.appendChild(el('span', c.waiting_since_ms == null ? 'waiting answered' : 'waiting', formatWaiting(c.waiting_since_ms)));
    btn.appendChild(el('span', c.assignee ? 'assignee' : 'assignee unassigned', assigneeText(c.assignee)));
    if (c.status === 'closed') btn.appendChild(el('span', 'status-tag', c.status_label || STATUS.closed));
    btn.addEventListener('click', () => openConversation(c.id));
    li.appendChild(btn);
    return li;
  }

  const queueButton = (id) => Array.from(document.querySelectorAll('#queue .queue-item')).find((b) => b.dataset.id === String(id));

  // Waiting times are relative to "now", so refresh the text without refetching.
  function tickWaiting() {
    state.queue.forEach((c) => {
      const b = queueButton(c.id);
      if (b) b.querySelector('.waiting').textContent = formatWaiting(c.waiting_since_ms);
    });
    // Overview rows are in state.overview order; update text only so focus is kept.
    const cells = document.querySelectorAll('#overview-body .ov-waiting');
    state.overview.forEach((c, i) => { if (cells[i]) cells[i].textContent = formatWaiting(c.waiting_since_ms); });
  }

  function markQueueSelection() {
    document.querySelectorAll('#queue .queue-item').forEach((b) => {
      b.classList.toggle('selected', b.dataset.id === String(state.selectedId));
      if (b.dataset.id === String(state.openId)) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
  }

  // Coalesce bursts of live events into one round of requests.
  function scheduleRefresh() {
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(refreshAll, 250);
  }

  function refreshAll() {
    if (!state.user || state.user.role === 'admin') return;
    loadQueue();
    pollEmergencies();
    if (state.user.role === 'supervisor' && state.view === 'overview') loadOverview();
    if (state.openId) { loadDetail(state.openId); loadMessages(state.openId, false); }
  }

  // ---------------------------------------------------------- emergency alert
  // Separate request so a narrow queue filter never hides a new 緊急 case.
  async function pollEmergencies() {
    try {
      const data = await api('GET', '/api/conversations?status=open&urgency=emergency');
      if (state.user) checkEmergencies(data.conversations || []);
    } catch (e) { /* the queue request reports errors */ }
  }

  function checkEmergencies(list) {
    const fresh = list.filter((c) => c.urgency === 'emergency' && c.status !== 'closed' && !state.seenEmergency.has(String(c.id)));
    if (!fresh.length) return;
    fresh.forEach((c) => state.seenEmergency.add(String(c.id)));
    const first = fresh[0];
    state.alertTargetId = String(first.id);
    const where = first.window && first.window.name ? `（${first.window.name}）` : '';
    const more = fresh.length > 1 ? ` ほか${fresh.length - 1}件` : '';
    $('emergency-text').textContent = `緊急の相談があります: ${first.contact}${where}${more}`;
    $('emergency-alert').hidden = false;
    if ($('beep-toggle').checked) beep();
  }

  function audioContext() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!state.audio) state.audio = new Ctx();
    if (state.audio.state === 'suspended') state.audio.resume();
    return state.audio;
  }

  // Two short tones; quiet enough for a shared office.
  function beep() {
    try {
      const ctx = audioContext();
      if (!ctx) return;
      [0, 0.25].forEach((offset) => {
        const t = ctx.currentTime + offset;
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'sine';
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.0001, t);
        gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + 0.2);
      });
    } catch (e) { /* sound is optional */ }
  }

  function onBeepToggle() {
    const on = $('beep-toggle').checked;
    try { localStorage.setItem(BEEP_KEY, on ? '1' : '0'); } catch (e) { /* private mode */ }
    // Browsers only allow audio after a user gesture: unlock it now and let the user hear it once.
    if (on) beep();
  }

  // ------------------------------------------------------------ conversation
  async function openConversation(id) {
    id = String(id);
    if (state.view !== 'queue') setView('queue');
    if (state.openId !== id) {
      if (state.openId) state.drafts.set(state.openId, $('reply-text').value);
      state.openId = id;
      state.detail = null;
      state.messages = [];
      state.localOut.clear();
      state.pendingDelivery.clear();
      clear($('messages'));
      $('reply-text').value = state.drafts.get(id) || '';
      $('reply-error').textContent = '';
      $('conversation-error').textContent = '';
      resetCaseForms();
      const known = state.queue.find((c) => sameId(c.id, id));
      $('conversation-title').textContent = known ? known.contact : '読み込み中…';
      $('conversation-meta').textContent = '';
      history.replaceState(null, '', `#conversation=${enc(id)}`);
    }
    state.selectedId = id;
    markQueueSelection();
    updateCounter();
    $('conversation-empty').hidden = true;
    $('conversation-body').hidden = false;
    await Promise.all([loadDetail(id), loadMessages(id, true)]);
  }

  async function loadDetail(id) {
    let data;
    try {
      data = await api('GET', convPath(id));
    } catch (err) {
      if (state.openId === id && state.user) $('conversation-error').textContent = err.message;
      return;
    }
    if (state.openId !== id) return; // user already moved on
    $('conversation-error').textContent = '';
    state.detail = data;
    renderConversationHeader(data.conversation || {});
    renderCasePanel(data);
  }

  function renderConversationHeader(c) {
    $('conversation-title').textContent = c.contact || '';
    const meta = $('conversation-meta');
    clear(meta);
    meta.appendChild(urgencyBadge(c));
    const parts = [c.window && c.window.name, CHANNEL[c.channel] || c.channel, c.status_label || STATUS[c.status], assigneeText(c.assignee),
      formatWaiting(c.waiting_since_ms)].filter(Boolean);
    meta.appendChild(el('span', 'meta-text', parts.join('・')));
    (c.tags || []).forEach((t) => meta.appendChild(el('span', 'tag', t)));
    document.title = `${c.contact || ''}｜相談コンソール`;
  }

  async function loadMessages(id, scrollToEnd) {
    let data;
    try {
      data = await api('GET', convPath(id, '/messages'));
    } catch (err) {
      if (state.openId === id && state.user) $('conversation-error').textContent = err.message;
      return;
    }
    if (state.openId !== id) return;
    const list = data.messages || [];
    // Keep an optimistic reply visible until the server lists it.
    const ids = new Set(list.map((m) => String(m.id)));
    state.localOut.forEach((m, key) => { if (ids.has(key)) state.localOut.delete(key); else list.push(m); });
    list.forEach(applyPendingDelivery);
    state.messages = list;
    renderMessages(scrollToEnd);
  }

  // Keyed rendering: existing rows are reused so aria-live delivery labels
  // announce changes and the reader's scroll position is kept.
  function renderMessages(scrollToEnd) {
    const list = $('messages');
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    const existing = new Map();
    Array.from(list.children).forEach((li) => existing.set(li.dataset.id, li));
    const keep = new Set();
    state.messages.forEach((m) => {
      const key = String(m.id);
      let li = existing.get(key);
      if (li) updateDelivery(li, m); else li = buildMessage(m);
      list.appendChild(li);
      keep.add(key);
    });
    existing.forEach((li, key) => { if (!keep.has(key)) li.remove(); });
    if (scrollToEnd || nearBottom) list.scrollTop = list.scrollHeight;
  }

  function buildMessage(m) {
    const out = m.direction === 'out';
    const li = el('li', `message message-${out ? 'out' : 'in'}`);
    li.dataset.id = String(m.id);
    li.dataset.direction = out ? 'out' : 'in';
    const bubble = el('div', 'bubble');
    bubble.appendChild(el('span', 'sr-only', out ? '返信: ' : '相談者から: '));
    if (m.subject) bubble.appendChild(el('p', 'subject', `件名: ${m.subject}`));
    const placeholder = !m.text && m.type && m.type !== 'text';
    bubble.appendChild(el('p', placeholder ? 'text placeholder' : 'text', placeholder ? (MEDIA[m.type] || `［${m.type}］`) : (m.text || '')));
    const meta = el('div', 'meta');
    const ms = typeof m.received_at_ms === 'number' ? m.received_at_ms : Date.parse(m.received_at);
    const time = el('time', 'time', formatTime(ms));
    if (m.received_at) time.dateTime = m.received_at;
    meta.appendChild(time);
    if (out) {
      meta.appendChild(el('span', 'author', m.author || ''));
      const d = el('span', 'delivery');
      d.setAttribute('aria-live', 'polite');
      meta.appendChild(d);
    }
    bubble.appendChild(meta);
    li.appendChild(bubble);
    updateDelivery(li, m);
    return li;
  }

  function deliveryText(m) {
    const label = m.delivery_label || DELIVERY[m.delivery_status] || '';
    return m.delivery_status === 'failed' && m.delivery_reason ? `${label}（${m.delivery_reason}）` : label;
  }

  function updateDelivery(li, m) {
    const d = li.querySelector('.delivery');
    if (!d) return;
    const text = deliveryText(m);
    if (d.textContent !== text) d.textContent = text; // unchanged text must not re-announce
    d.className = `delivery delivery-${m.delivery_status || 'queued'}`;
  }

  function applyPendingDelivery(m) {
    const ev = state.pendingDelivery.get(String(m.id));
    if (!ev) return;
    state.pendingDelivery.delete(String(m.id));
    m.delivery_status = ev.delivery_status;
    m.delivery_label = ev.delivery_label;
    m.delivery_reason = ev.delivery_reason;
  }

  function updateCounter() {
    const n = $('reply-text').value.length;
    const c = $('reply-counter');
    c.textContent = `${n} / ${REPLY_MAX}文字${n >= REPLY_MAX ? '（上限です）' : ''}`;
    c.classList.toggle('over', n >= REPLY_MAX);
  }

  async function sendReply(e) {
    if (e) e.preventDefault();
    const id = state.openId;
    const box = $('reply-text');
    const btn = $('reply-send');
    const text = box.value;
    $('reply-error').textContent = '';
    if (!id || btn.disabled) return;
    if (!text.trim()) { $('reply-error').textContent = '返信の内容を入力してください。'; return; }
    if (text.length > REPLY_MAX) { $('reply-error').textContent = `返信は${REPLY_MAX}文字以内にしてください。`; return; }
    btn.disabled = true;
    try {
      const r = await api('POST', convPath(id, '/replies'), { text });
      const msg = {
        id: r.id, direction: 'out', type: 'text', text, subject: null, author: state.user ? state.user.username : '',
        received_at_ms: Date.now(), delivery_status: r.delivery_status || 'queued',
        delivery_label: r.delivery_label || DELIVERY.queued, delivery_reason: '',
      };
      applyPendingDelivery(msg);
      state.drafts.delete(id);
      if (state.openId === id) {
        state.localOut.set(String(r.id), msg);
        state.messages.push(msg);
        renderMessages(true);
        box.value = '';
        updateCounter();
      }
    } catch (err) {
      if (state.openId === id) $('reply-error').textContent = err.message;
    } finally {
      btn.disabled = false;
    }
  }

  function onReplyKey(e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); sendReply(); }
  }

  // --------------------------------------------------------------- case panel
  // Forms the user is editing are "dirty": live refreshes must not overwrite them.
  const CASE_FORMS = ['case-form', 'assign-form', 'urgency-form', 'transfer-form', 'contact-form', 'note-form'];

  function resetCaseForms() {
    CASE_FORMS.forEach((id) => {
      const f = $(id);
      f.reset();
      delete f.dataset.dirty;
      f.querySelector('.form-error').textContent = '';
    });
    $('status-error').textContent = '';
    $('assign-error').textContent = '';
    $('contact-date').value = todayTokyo();
  }

  function renderCasePanel(data) {
    const c = data.conversation || {};
    const kase = c.case || {};
    $('case-empty').hidden = true;
    $('case-body').hidden = false;

    if (!$('case-form').dataset.dirty) {
      fillSelect($('case-writer'), WRITER, kase.writer || '');
      fillSelect($('case-age'), AGE_BAND, kase.age_band || '');
      fillSelect($('case-consent'), CONSENT, kase.consent || '');
      $('case-household').value = kase.household || '';
    }
    renderHousehold(data.household_cases || []);
    renderAssign(c);
    if (!$('urgency-form').dataset.dirty) $('urgency-select').value = c.urgency || 'normal';
    renderTransferTargets(c);
    if (!$('contact-form').dataset.dirty && !$('contact-date').value) $('contact-date').value = todayTokyo();
    $('status-current').textContent = `現在: ${c.status_label || STATUS[c.status] || ''}`;
    $('close-case').hidden = c.status === 'closed';
    $('reopen-case').hidden = c.status !== 'closed';
    renderEntries(data.entries || []);
  }

  function renderHousehold(cases) {
    const list = $('household-list');
    clear(list);
    const others = cases.filter((h) => !sameId(h.id, state.openId));
    $('household-block').hidden = others.length === 0;
    others.forEach((h) => {
      const li = el('li');
      const a = el('a', 'case-link', `${h.contact}（${STATUS[h.status] || h.status || ''}）`);
      a.href = `#conversation=${enc(h.id)}`;
      a.addEventListener('click', (e) => { e.preventDefault(); openConversation(h.id); });
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  function renderAssign(c) {
    const me = state.user.username;
    $('assignee-current').textContent = c.assignee ? `担当: ${c.assignee}${c.assignee === me ? '（自分）' : ''}` : '未割当';
    $('claim').hidden = c.assignee === me;
    $('release').hidden = !c.assignee;
    if ($('assign-form').dataset.dirty) return;
    // Counselors may only hand over to staff of the same window (contract); supervisors to anyone.
    const winId = c.window ? String(c.window.id) : '';
    const staff = state.staff.filter((s) => s.role !== 'admin' && s.username !== c.assignee &&
      (state.user.role === 'supervisor' || (s.windows || []).map(String).includes(winId)));
    fillSelect($('assign-user'), [['', '選んでください']].concat(staff.map((s) => [s.username, `${s.username}（${ROLE[s.role] || s.role}）`])), '');
    $('assign-form').hidden = staff.length === 0;
  }

  function renderTransferTargets(c) {
    if ($('transfer-form').dataset.dirty) return;
    const current = c.window ? String(c.window.id) : '';
    const targets = state.windows.filter((w) => String(w.id) !== current);
    fillSelect($('transfer-window'), [['', '選んでください']].concat(targets.map((w) => [String(w.id), w.name])), '');
  }

  function entryHeadline(e) {
    const d = e.detail || {};
    switch (e.kind) {
      case 'note': return '内部メモ';
      case 'transfer': return `つなぎ: ${d.from || '—'} → ${d.to || '—'}`;
      case 'urgency': return `緊急度の変更: ${URGENCY[d.from] || d.from || '—'} → ${URGENCY[d.to] || d.to || '—'}`;
      case 'contact': {
        const method = d.method_label || labelOf(METHOD, d.method) || '';
        const dur = d.duration_minutes != null ? `・${d.duration_minutes}分` : '';
        return `${method}の記録: ${d.date || ''}${dur}`;
      }
      case 'assign': return d.assignee ? `担当: ${d.assignee}` : '担当の解除';
      case 'status': return d.status === 'closed' ? '終了しました' : '再開しました';
      case 'triage': {
        const parts = [`自動判定: ${URGENCY[d.to] || d.to || ''}`];
        if (d.window) parts.push(`振り分け: ${d.window}`);
        if (d.reply) parts.push(`自動返信: ${AUTO_REPLY[d.reply] || d.reply}`);
        return parts.join('・');
      }
      default: return e.kind || '';
    }
  }

  function renderEntries(entries) {
    const list = $('entries');
    clear(list);
    const sorted = entries.slice().sort((a, b) => (b.created_at_ms || 0) - (a.created_at_ms || 0));
    sorted.forEach((e) => {
      const li = el('li', `entry entry-${e.kind || 'other'}`);
      li.appendChild(el('p', 'entry-head', entryHeadline(e)));
      if (e.text) li.appendChild(el('p', 'entry-text', e.text));
      li.appendChild(el('p', 'entry-meta', `${e.author === 'triage' ? '自動判定' : (e.author || '')}・${formatTime(e.created_at_ms)}`));
      list.appendChild(li);
    });
    $('entries-empty').hidden = sorted.length > 0;
  }

  // Shared runner for the case actions: CSRF'd request, error in place, then refresh.
  async function caseAction(button, errorEl, path, body, success, method, onDone) {
    const id = state.openId;
    if (!id) return false;
    errorEl.textContent = '';
    button.disabled = true;
    try {
      await api(method || 'POST', convPath(id, path), body || {});
      toast(success);
      if (onDone) onDone(); // before the reload, so the reload shows server values
      if (state.openId === id) await loadDetail(id);
      loadQueue();
      return true;
    } catch (err) {
      if (state.openId === id) errorEl.textContent = err.message;
      return false;
    } finally {
      button.disabled = false;
    }
  }

  function formParts(formId) {
    const form = $(formId);
    return { form, button: form.querySelector('button[type="submit"]'), error: form.querySelector('.form-error') };
  }

  async function submitForm(formId, validate, path, body, success, method) {
    const f = formParts(formId);
    const problem = validate();
    if (problem) { f.error.textContent = problem; return; }
    const payload = body();
    delete f.form.dataset.dirty; // let the refresh show the saved values
    const ok = await caseAction(f.button, f.error, path, payload, success, method, () => {
      f.form.reset();
      if (formId === 'contact-form') $('contact-date').value = todayTokyo();
    });
    if (!ok) f.form.dataset.dirty = '1';
  }

  function onCaseSave(e) {
    e.preventDefault();
    const f = formParts('case-form');
    delete f.form.dataset.dirty;
    caseAction(f.button, f.error, '/case', {
      writer: $('case-writer').value, age_band: $('case-age').value,
      household: $('case-household').value.trim(), consent: $('case-consent').value,
    }, 'ケース情報を保存しました。', 'PUT').then((ok) => { if (!ok) f.form.dataset.dirty = '1'; });
  }

  function onAssign(e) {
    e.preventDefault();
    submitForm('assign-form', () => ($('assign-user').value ? '' : '担当者を選んでください。'),
      '/assign', () => ({ username: $('assign-user').value }), '担当者を割り当てました。');
  }

  function onUrgency(e) {
    e.preventDefault();
    submitForm('urgency-form', () => ($('urgency-reason').value.trim() ? '' : '変更の理由を入力してください。'),
      '/urgency', () => ({ urgency: $('urgency-select').value, reason: $('urgency-reason').value.trim() }), '緊急度を変更しました。');
  }

  function onTransfer(e) {
    e.preventDefault();
    submitForm('transfer-form', () => {
      if (!$('transfer-window').value) return 'つなぎ先の窓口を選んでください。';
      return $('transfer-note').value.trim() ? '' : '申し送りを入力してください。';
    }, '/transfer', () => {
      const w = state.windows.find((x) => String(x.id) === $('transfer-window').value);
      return { window_id: w ? w.id : $('transfer-window').value, note: $('transfer-note').value.trim() };
    }, '他の窓口へつなぎました。');
  }

  function onContact(e) {
    e.preventDefault();
    const raw = $('contact-duration').value;
    const minutes = Number(raw);
    submitForm('contact-form', () => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test($('contact-date').value)) return '日付を入力してください。';
      if (raw === '' || !Number.isInteger(minutes) || minutes < 0) return '所要時間を0以上の分数で入力してください。';
      return '';
    }, '/contacts', () => {
      const body = { method: $('contact-method').value, date: $('contact-date').value, duration_minutes: minutes };
      if ($('contact-note').value.trim()) body.note = $('contact-note').value.trim();
      return body;
    }, '記録を追加しました。');
  }

  function onNote(e) {
    e.preventDefault();
    submitForm('note-form', () => ($('note-text').value.trim() ? '' : 'メモの内容を入力してください。'),
      '/notes', () => ({ text: $('note-text').value }), '内部メモを追加しました。');
  }

  // ------------------------------------------------------------ live updates
  function liveUrl() {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`;
  }

  function setLive(text, cls) {
    const s = $('live-status');
    s.textContent = text;
    s.className = `live-status ${cls}`;
  }

  function connectLive() {
    if (!state.user || state.user.role === 'admin') return;
    let ws;
    try { ws = new WebSocket(liveUrl()); } catch (e) { scheduleReconnect(); return; }
    state.ws = ws;
    setLive('リアルタイム更新: 接続しています…', 'pending');
    ws.addEventListener('open', () => {
      state.wsRetry = 0;
      setLive('リアルタイム更新: 接続中', 'on');
      // Events may have been missed while disconnected.
      if (state.wsOpenedOnce) scheduleRefresh();
      state.wsOpenedOnce = true;
    });
    ws.addEventListener('message', (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg.type === 'queue') scheduleRefresh();
      else if (msg.type === 'delivery') onDeliveryEvent(msg);
    });
    ws.addEventListener('close', () => {
      if (state.ws !== ws) return; // closed on purpose
      state.ws = null;
      if (!state.user) return;
      setLive('リアルタイム更新: 切断（再接続します）', 'off');
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    clearTimeout(state.wsTimer);
    const delay = Math.min(30000, 1000 * Math.pow(2, state.wsRetry)) + Math.floor(Math.random() * 500);
    state.wsRetry += 1;
    state.wsTimer = setTimeout(async () => {
      if (!state.user) return;
      // Repeated failures may mean the session expired: the WebSocket cannot tell us, /api/session can (401 → login).
      if (state.wsRetry > 2) { try { await api('GET', '/api/session'); } catch (e) { if (!state.user) return; } }
      connectLive();
    }, delay);
  }

  function closeLive() {
    clearTimeout(state.wsTimer);
    const ws = state.ws;
    state.ws = null;
    state.wsRetry = 0;
    state.wsOpenedOnce = false;
    if (ws) { try { ws.close(); } catch (e) { /* already closed */ } }
    setLive('', '');
  }

  function onDeliveryEvent(ev) {
    if (!sameId(ev.conversation_id, state.openId)) return;
    const m = state.messages.find((x) => sameId(x.id, ev.outbound_id));
    if (m) {
      m.delivery_status = ev.delivery_status;
      m.delivery_label = ev.delivery_label;
      m.delivery_reason = ev.delivery_reason;
      const li = Array.from($('messages').children).find((x) => x.dataset.id === String(m.id));
      if (li) updateDelivery(li, m);
    } else {
      // The reply POST has not answered yet: apply the status when it does.
      state.pendingDelivery.set(String(ev.outbound_id), ev);
    }
    clearTimeout(state.msgTimer);
    const id = state.openId;
    state.msgTimer = setTimeout(() => { if (state.openId === id) loadMessages(id, false); }, 300);
  }

  // -------------------------------------------------------- supervisor view
  function setupTabs() {
    const nav = $('view-tabs');
    clear(nav);
    if (state.user.role !== 'supervisor') return;
    [['queue-tab', '相談一覧', 'queue'], ['supervisor-tab', '全体の状況', 'overview']].forEach(([id, label, view]) => {
      const b = el('button', 'tab', label);
      b.type = 'button';
      b.id = id;
      b.addEventListener('click', () => setView(view));
      nav.appendChild(b);
    });
  }

  function setView(view) {
    state.view = view;
    $('workspace').hidden = view !== 'queue';
    $('overview').hidden = view !== 'overview';
    ['queue-tab', 'supervisor-tab'].forEach((id) => {
      const b = $(id);
      if (b) b.setAttribute('aria-pressed', String((id === 'supervisor-tab') === (view === 'overview')));
    });
    if (view === 'overview') loadOverview();
  }

  async function loadOverview() {
    let data;
    try {
      data = await api('GET', '/api/conversations?status=open');
    } catch (err) {
      if (state.user) $('overview-error').textContent = err.message;
      return;
    }
    if (!state.user) return;
    $('overview-error').textContent = '';
    state.overview = data.conversations || [];
    renderOverview();
    checkEmergencies(state.overview);
  }

  function renderOverview() {
    const focusedId = document.activeElement && document.activeElement.classList.contains('overview-open')
      ? document.activeElement.dataset.id : null;
    const counts = { emergency: 0, high: 0, normal: 0, info: 0 };
    let unassigned = 0;
    state.overview.forEach((c) => { if (c.urgency in counts) counts[c.urgency] += 1; if (!c.assignee) unassigned += 1; });
    $('overview-summary').textContent = `対応中 ${state.overview.length}件（` +
      Object.keys(counts).map((k) => `${URGENCY[k]} ${counts[k]}件`).join('・') + `）／未割当 ${unassigned}件`;
    const body = $('overview-body');
    clear(body);
    // API order: urgency first, then the longest wait.
    state.overview.forEach((c) => {
      const tr = el('tr', c.urgency === 'emergency' ? 'row-emergency' : '');
      const u = el('td'); u.appendChild(urgencyBadge(c)); tr.appendChild(u);
      const who = el('td');
      const open = el('button', 'link-button overview-open', c.contact);
      open.type = 'button';
      open.dataset.id = String(c.id);
      open.addEventListener('click', () => openConversation(c.id));
      who.appendChild(open);
      tr.appendChild(who);
      tr.appendChild(el('td', '', c.window ? c.window.name : ''));
      tr.appendChild(el('td', c.assignee ? '' : 'unassigned', c.assignee || '未割当'));
      tr.appendChild(el('td', 'ov-waiting', formatWaiting(c.waiting_since_ms)));
      body.appendChild(tr);
    });
    if (focusedId) {
      const again = Array.from(body.querySelectorAll('.overview-open')).find((b) => b.dataset.id === focusedId);
      if (again) again.focus();
    }
    if (!state.overview.length) {
      const tr = el('tr');
      const td = el('td', 'empty', '対応中の相談はありません。');
      td.colSpan = 5;
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }

  // ------------------------------------------------------ keyboard shortcuts
  function isTyping(t) {
    return t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
  }

  function moveSelection(delta) {
    if (state.view !== 'queue') setView('queue');
    const items = Array.from(document.querySelectorAll('#queue .queue-item'));
    if (!items.length) return;
    const cur = items.findIndex((b) => b.dataset.id === String(state.selectedId));
    const next = cur < 0 ? (delta > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, cur + delta));
    state.selectedId = items[next].dataset.id;
    markQueueSelection();
    items[next].focus();
    items[next].scrollIntoView({ block: 'nearest' });
  }

  function openSelected() {
    const id = state.selectedId || (state.queue[0] && String(state.queue[0].id));
    if (id) openConversation(id);
  }

  function toggleHelp() {
    const d = $('help-dialog');
    if (d.open) { d.close(); return; }
    if (typeof d.showModal === 'function') d.showModal(); else d.setAttribute('open', '');
    $('help-close').focus();
  }

  function focusIfVisible(id) {
    const node = $(id);
    if (!node || node.offsetParent === null) return;
    node.focus();
  }

  function onKeyDown(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (!state.user || state.user.role === 'admin' || $('main').hidden) return;
    if (isTyping(e.target)) return;
    if ($('help-dialog').open) { if (e.key === '?') { e.preventDefault(); toggleHelp(); } return; }
    const onControl = e.target && ['BUTTON', 'A', 'SUMMARY'].includes(e.target.tagName);
    switch (e.key) {
      case 'j': moveSelection(1); break;
      case 'k': moveSelection(-1); break;
      case 'o': openSelected(); break;
      case 'Enter': if (onControl) return; openSelected(); break; // a focused button handles its own Enter
      case 'r': focusIfVisible('reply-text'); break;
      case 'n': focusIfVisible('note-text'); break;
      case '/': if (state.view !== 'queue') setView('queue'); $('filter-urgency').focus(); break;
      case '?': toggleHelp(); break;
      default: return;
    }
    e.preventDefault();
  }

  function openFromHash() {
    const m = /^#conversation=(.+)$/.exec(location.hash);
    if (m && state.user && state.user.role !== 'admin') openConversation(decodeURIComponent(m[1]));
  }

  // -------------------------------------------------------------------- init
  function markDirty(e) { e.currentTarget.dataset.dirty = '1'; }

  function bind() {
    $('login-form').addEventListener('submit', onLoginSubmit);
    $('logout').addEventListener('click', logout);
    ['filter-window', 'filter-status', 'filter-urgency', 'filter-mine'].forEach((id) => $(id).addEventListener('change', loadQueue));
    $('queue-filters').addEventListener('submit', (e) => e.preventDefault());
    $('reply-form').addEventListener('submit', sendReply);
    $('reply-text').addEventListener('keydown', onReplyKey);
    $('reply-text').addEventListener('input', updateCounter);
    CASE_FORMS.forEach((id) => { $(id).addEventListener('input', markDirty); $(id).addEventListener('change', markDirty); });
    $('case-form').addEventListener('submit', onCaseSave);
    $('assign-form').addEventListener('submit', onAssign);
    $('urgency-form').addEventListener('submit', onUrgency);
    $('transfer-form').addEventListener('submit', onTransfer);
    $('contact-form').addEventListener('submit', onContact);
    $('note-form').addEventListener('submit', onNote);
    $('claim').addEventListener('click', () => caseAction($('claim'), $('assign-error'), '/claim', {}, '担当になりました。'));
    $('release').addEventListener('click', () => caseAction($('release'), $('assign-error'), '/release', {}, '担当を外しました。'));
    $('close-case').addEventListener('click', () => caseAction($('close-case'), $('status-error'), '/close', {}, '相談を終了しました。'));
    $('reopen-case').addEventListener('click', () => caseAction($('reopen-case'), $('status-error'), '/reopen', {}, '相談を再開しました。'));
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

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
