// The queue (left column): filters, urgency-ordered list, waiting times.
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
  return p.toString();
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
  if (c.channel) btn.appendChild(el('span', 'channel', channelLabel(c.channel))); // メール / LINE: how to answer
  btn.appendChild(el('span', c.waiting_since_ms == null ? 'waiting answered' : 'waiting', formatWaiting(c.waiting_since_ms)));
  btn.appendChild(el('span', c.assignee ? 'assignee' : 'assignee unassigned', assigneeText(c.assignee)));
  if (c.status === 'closed') btn.appendChild(el('span', 'status-tag', c.status_label || STATUS.closed));
  btn.addEventListener('click', () => openConversation(c.id));
  li.appendChild(btn);
  return li;
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
