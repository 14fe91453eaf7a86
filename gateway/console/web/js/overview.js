// The supervisor's overview (全体の状況) and the tabs that switch to it.
import { api } from './api.js';
import { openConversation } from './conversation.js';
import { $, clear, el } from './dom.js';
import { checkEmergencies } from './emergency.js';
import { formatWaiting, urgencyBadge } from './format.js';
import { URGENCY } from './labels.js';
import { state } from './state.js';
import { loadTemplateView } from './templates.js';

export function setupTabs() {
  const nav = $('view-tabs');
  clear(nav);
  if (state.user.role !== 'supervisor') return;
  VIEWS.forEach(([id, label, view]) => {
    const b = el('button', 'tab', label);
    b.type = 'button';
    b.id = id;
    b.addEventListener('click', () => setView(view));
    nav.appendChild(b);
  });
}

// The supervisor's views: tab id, label, view, the element it shows.
const VIEWS = [['queue-tab', '相談一覧', 'queue', 'workspace'], ['supervisor-tab', '全体の状況', 'overview', 'overview'],
  ['templates-tab', '定型文', 'templates', 'templates-view']];

export function setView(view) {
  state.view = view;
  VIEWS.forEach(([id, , v, shown]) => {
    $(shown).hidden = v !== view;
    const b = $(id);
    if (b) b.setAttribute('aria-pressed', String(v === view));
  });
  if (view === 'overview') loadOverview();
  if (view === 'templates') loadTemplateView();
}

export async function loadOverview() {
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
