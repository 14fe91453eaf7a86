// The open conversation (middle column): header, messages and their delivery states.
import { api, convPath } from './api.js';
import { renderCasePanel, resetCaseForms } from './case_panel.js';
import { channelLabel } from './channels.js';
import { $, clear, el, enc, sameId } from './dom.js';
import { assigneeText, formatTime, formatWaiting, urgencyBadge } from './format.js';
import { DELIVERY, MEDIA, STATUS } from './labels.js';
import { applyMessageSearch, resetMessageSearch } from './message_search.js';
import { setView } from './overview.js';
import { loadReplyTemplates } from './templates.js';
import { loadQueue, markQueueSelection, markRead } from './queue.js';
import { updateCounter } from './reply.js';
import { state } from './state.js';

export async function openConversation(id) {
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
    resetMessageSearch();
    $('conversation-closed').textContent = '';
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
  await Promise.all([loadDetail(id), loadMessages(id, true), loadReplyTemplates(id)]);
}

// The channel type of the open conversation ('' when none is open or known yet).
export function openChannel() {
  const c = state.detail && state.detail.conversation;
  if (c && c.channel) return c.channel;
  const known = state.queue.find((q) => sameId(q.id, state.openId));
  return known ? known.channel || '' : '';
}

// Shown instead of the conversation when it can no longer be read here: handed to a window
// the counselor does not serve, or gone. Nothing of it stays on screen or keeps polling.
const MSG_GONE = 'この相談は表示できなくなりました（他の窓口へつながれたか、権限が変更されました）。';

export function closeConversation(notice) {
  if (!state.openId) return;
  state.drafts.delete(state.openId);
  state.openId = null;
  state.selectedId = null;
  state.detail = null;
  state.messages = [];
  state.localOut.clear();
  state.pendingDelivery.clear();
  clearTimeout(state.mediaTimer);
  clearTimeout(state.msgTimer);
  clear($('messages'));
  $('reply-text').value = '';
  $('template-picker').hidden = true;
  resetCaseForms();
  $('conversation-body').hidden = true;
  $('conversation-empty').hidden = false;
  $('conversation-closed').textContent = notice || MSG_GONE;
  $('case-body').hidden = true;
  $('case-empty').hidden = false;
  document.title = '相談コンソール｜madoguchi';
  history.replaceState(null, '', location.pathname + location.search);
  loadQueue();
}

// An answer that means the open conversation is no longer this user's to read.
function lostAccess(err, id) {
  if (state.openId !== id || !state.user) return true;
  if (err.status === 403 || err.status === 404) { closeConversation(); return true; }
  return false;
}

export async function loadDetail(id) {
  let data;
  try {
    data = await api('GET', convPath(id));
  } catch (err) {
    if (!lostAccess(err, id)) $('conversation-error').textContent = err.message;
    return;
  }
  if (state.openId !== id) return; // user already moved on
  $('conversation-error').textContent = '';
  state.detail = data;
  renderConversationHeader(data.conversation || {});
  renderCasePanel(data);
  updateCounter(); // the channel decides the split notice
}

function renderConversationHeader(c) {
  $('conversation-title').textContent = c.contact || '';
  const meta = $('conversation-meta');
  clear(meta);
  meta.appendChild(urgencyBadge(c));
  if (c.channel) meta.appendChild(el('span', 'channel', channelLabel(c.channel)));
  const parts = [c.window && c.window.name, c.status_label || STATUS[c.status], assigneeText(c.assignee),
    formatWaiting(c.waiting_since_ms)].filter(Boolean);
  meta.appendChild(el('span', 'meta-text', parts.join('・')));
  (c.tags || []).forEach((t) => meta.appendChild(el('span', 'tag', t)));
  document.title = `${c.contact || ''}｜相談コンソール`;
}

export async function loadMessages(id, scrollToEnd) {
  let data;
  try {
    data = await api('GET', convPath(id, '/messages'));
  } catch (err) {
    if (!lostAccess(err, id)) $('conversation-error').textContent = err.message;
    return;
  }
  if (state.openId !== id) return;
  markRead(id);
  const list = data.messages || [];
  // Keep an optimistic reply visible until the server lists it.
  const ids = new Set(list.map((m) => String(m.id)));
  state.localOut.forEach((m, key) => { if (ids.has(key)) state.localOut.delete(key); else list.push(m); });
  list.forEach(applyPendingDelivery);
  state.messages = list;
  renderMessages(scrollToEnd);
  // Media is fetched in the background: look again while some is still 取得中.
  clearTimeout(state.mediaTimer);
  if (list.some((m) => m.media && m.media.state === 'pending'))
    state.mediaTimer = setTimeout(() => { if (state.openId === id) loadMessages(id, false); }, 3000);
}

// Keyed rendering: existing rows are reused so aria-live delivery labels
// announce changes and the reader's scroll position is kept.
export function renderMessages(scrollToEnd) {
  const list = $('messages');
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  const existing = new Map();
  Array.from(list.children).forEach((li) => existing.set(li.dataset.id, li));
  const keep = new Set();
  state.messages.forEach((m) => {
    const key = String(m.id);
    let li = existing.get(key);
    if (li) { updateDelivery(li, m); updateMedia(li, m); } else li = buildMessage(m);
    list.appendChild(li);
    keep.add(key);
  });
  existing.forEach((li, key) => { if (!keep.has(key)) li.remove(); });
  applyMessageSearch();
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
  (m.notes || []).forEach((n) => bubble.appendChild(el('p', 'mail-note', `⚠ ${n}`)));
  const placeholder = !m.text && m.type && m.type !== 'text';
  bubble.appendChild(el('p', placeholder ? 'text placeholder' : 'text', placeholder ? (MEDIA[m.type] || `［${m.type}］`) : (m.text || '')));
  if (m.media) bubble.appendChild(el('p', 'media'));
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
  updateMedia(li, m);
  return li;
}

function formatSize(bytes) {
  if (typeof bytes !== 'number') return '';
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)}MB`;
  return `${Math.max(1, Math.round(bytes / 1024))}KB`;
}

// A media message's state: a download link for stored content (never shown inline: the
// server answers it as an attachment), else the Japanese state (取得中, 大きすぎる…).
function updateMedia(li, m) {
  const box = li.querySelector('.media');
  if (!box) return;
  if (!m.media) { // unsent meanwhile: nothing is offered any more
    clear(box);
    box.dataset.rendered = '';
    return;
  }
  const md = m.media;
  const rendered = `${md.state}|${md.download_url || ''}`;
  if (box.dataset.rendered === rendered) return;
  box.dataset.rendered = rendered;
  clear(box);
  box.className = `media media-${md.state}`;
  if (md.download_url) {
    const a = el('a', 'media-download', md.label);
    a.href = md.download_url;
    a.setAttribute('download', '');
    a.rel = 'noopener';
    box.appendChild(a);
    const size = formatSize(md.size_bytes);
    if (size) box.appendChild(el('span', 'media-size', `（${size}）`));
  } else {
    box.appendChild(el('span', 'media-state', md.state === 'failed' && md.reason ? `${md.label}（${md.reason}）` : md.label));
  }
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

export function applyPendingDelivery(m) {
  const ev = state.pendingDelivery.get(String(m.id));
  if (!ev) return;
  state.pendingDelivery.delete(String(m.id));
  m.delivery_status = ev.delivery_status;
  m.delivery_label = ev.delivery_label;
  m.delivery_reason = ev.delivery_reason;
}

// A {"type":"delivery"} frame of the live socket.
export function onDeliveryEvent(ev) {
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
