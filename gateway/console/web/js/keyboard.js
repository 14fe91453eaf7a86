// Keyboard shortcuts (j/k/o/Enter/r/n///?) and opening a conversation from the URL hash.
import { showCaseTab } from './case_tabs.js';
import { openConversation } from './conversation.js';
import { $ } from './dom.js';
import { setView } from './overview.js';
import { markQueueSelection } from './queue.js';
import { state } from './state.js';

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

export function toggleHelp() {
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

export function onKeyDown(e) {
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
    case 'n': showCaseTab('history'); focusIfVisible('note-text'); break;
    case '/': if (state.view !== 'queue') setView('queue'); $('filter-urgency').focus(); break;
    case '?': toggleHelp(); break;
    default: return;
  }
  e.preventDefault();
}

export function openFromHash() {
  const m = /^#conversation=(.+)$/.exec(location.hash);
  if (m && state.user && state.user.role !== 'admin') openConversation(decodeURIComponent(m[1]));
}
