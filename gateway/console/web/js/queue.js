// The queue (left column): filters and search, the urgency-ordered list (two dense lines per
// conversation: urgency, pseudonym, 未読, waiting time; the newest message's first line and
// the assignee), waiting times.
import { api } from './api.js';
import { channelLabel } from './channels.js';
import { openConversation } from './conversation.js';
import { $, clear, el, sameId } from './dom.js';
import { checkEmergencies } from './emergency.js';
import { assigneeText, formatWaiting, urgencyBadge } from './format.js';
import { STATUS } from './labels.js';
import { state } from './state.js';

function queueQuery() {
  const p = new URLSearchParams();
  if ($('filter-window').value) p.set('window', $('filter-window').value);
  p.set('status', $('filter-status').value || 'open');
  if ($('filter-urgency').value) p.set('urgency', $('filter-urgency').value);
  if ($('filter-mine').checked) p.set('mine', '1');
  SEARCH_FIELDS.forEach(([id, key]) => { const v = $(id).value.trim(); if (v) p.set(key, v); });
  return p.toString();
}

const SEARCH_FIELDS = [['search-contact', 'contact'], ['search-tag', 'tag'], ['search-from', 'from'], ['search-to', 'to']];
const searching = () => SEARCH_FIELDS.some(([id]) => $(id).value.trim() !== '');

// The page checks what it can say better than the server's 400 before asking.
function searchProblem() {
  const contact = $('search-contact').value.trim();
  if (contact && !/^(相談者)?\s*#?\s*[0-9A-Za-z-]+$/.test(contact))
    return '相談者番号は英数字とハイフンで入力してください（例: 7F3A）。';
  const from = $('search-from').value, to = $('search-to').value;
  if (from && to && from > to) return '期間の「から」は「まで」より前の日付にしてください。';
  return '';
}

export function onSearch(e) {
  if (e) e.preventDefault();
  const problem = searchProblem();
  $('search-error').textContent = problem;
  if (!problem) loadQueue();
}

export function clearSearch() {
  SEARCH_FIELDS.forEach(([id]) => { $(id).value = ''; });
  $('search-error').textContent = '';
  loadQueue();
}

export async function loadQueue() {
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
  $('queue-count').textContent = searching() ? `（検索結果 ${state.queue.length}件）` : `（${state.queue.length}件）`;
  fillTagOptions();
  $('queue-empty').hidden = state.queue.length > 0;
  // Keep keyboard users where they were when a live update re-renders the list.
  if (focusedId) {
    const again = queueButton(focusedId);
    if (again) again.focus();
  }
}

// The tags of the listed conversations, offered while typing a tag to search for.
function fillTagOptions() {
  const tags = new Set();
  state.queue.forEach((c) => (c.tags || []).forEach((t) => tags.add(t)));
  const list = $('tag-options');
  clear(list);
  Array.from(tags).sort().forEach((t) => { const o = el('option'); o.value = t; list.appendChild(o); });
}

function buildQueueItem(c) {
  const li = el('li', 'queue-row');
  const btn = el('button', 'queue-item');
  btn.type = 'button';
  btn.dataset.id = String(c.id);
  if (c.unread) btn.classList.add('unread');
  if (sameId(c.id, state.openId)) btn.setAttribute('aria-current', 'true');
  if (sameId(c.id, state.selectedId)) btn.classList.add('selected');
  btn.appendChild(urgencyBadge(c));
  const who = el('span', 'who');
  who.appendChild(el('span', 'contact', c.contact));
  if (c.unread) who.appendChild(el('span', 'unread-mark', '未読'));
  // Window and channel (メール / LINE: how to answer) in one muted run.
  const where = [c.window ? c.window.name : '', c.channel ? channelLabel(c.channel) : ''].filter(Boolean).join('・');
  if (where) who.appendChild(el('span', 'where', where));
  btn.appendChild(who);
  btn.appendChild(el('span', c.waiting_since_ms == null ? 'waiting answered' : 'waiting', formatWaiting(c.waiting_since_ms)));
  btn.appendChild(el('span', 'preview', c.preview || ''));
  const side = c.status === 'closed' ? (c.status_label || STATUS.closed) : assigneeText(c.assignee);
  btn.appendChild(el('span', c.assignee || c.status === 'closed' ? 'assignee' : 'assignee unassigned', side));
  btn.title = [c.contact, where, c.preview].filter(Boolean).join('\n');
  btn.addEventListener('click', () => openConversation(c.id));
  li.appendChild(btn);
  return li;
}

// The messages were just read (the server recorded it): no 未読 mark until the next one.
export function markRead(id) {
  const c = state.queue.find((q) => sameId(q.id, id));
  const b = queueButton(id);
  if (!c || !c.unread || !b) return;
  c.unread = false;
  const fresh = buildQueueItem(c);
  const hadFocus = document.activeElement === b;
  b.closest('li').replaceWith(fresh);
  if (hadFocus) fresh.querySelector('button').focus();
}

function queueButton(id) {
  return Array.from(document.querySelectorAll('#queue .queue-item')).find((b) => b.dataset.id === String(id));
}

// Waiting times are relative to "now", so refresh the text without refetching.
export function tickWaiting() {
  state.queue.forEach((c) => {
    const b = queueButton(c.id);
    if (b) b.querySelector('.waiting').textContent = formatWaiting(c.waiting_since_ms);
  });
  // Overview rows are in state.overview order; update text only so focus is kept.
  const cells = document.querySelectorAll('#overview-body .ov-waiting');
  state.overview.forEach((c, i) => { if (cells[i]) cells[i].textContent = formatWaiting(c.waiting_since_ms); });
}

export function markQueueSelection() {
  document.querySelectorAll('#queue .queue-item').forEach((b) => {
    b.classList.toggle('selected', b.dataset.id === String(state.selectedId));
    if (b.dataset.id === String(state.openId)) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  });
}
