// The reply box: counter and limit as the server counts them (code points, GET /api/channels),
// and a notice when the channel will carry a long reply as several messages.
import { api, convPath } from './api.js';
import { codePoints, splitNotice } from './channels.js';
import { applyPendingDelivery, openChannel, renderMessages } from './conversation.js';
import { $ } from './dom.js';
import { DELIVERY } from './labels.js';
import { state } from './state.js';

export function updateCounter() {
  const n = codePoints($('reply-text').value);
  const max = state.replyMaxChars;
  const c = $('reply-counter');
  c.textContent = max ? `${n} / ${max}文字${n >= max ? '（上限です）' : ''}` : `${n}文字`;
  c.classList.toggle('over', max > 0 && n >= max);
  const notice = splitNotice(openChannel());
  const split = $('reply-split');
  split.textContent = notice;
  split.hidden = !notice;
}

export async function sendReply(e) {
  if (e) e.preventDefault();
  const id = state.openId;
  const box = $('reply-text');
  const btn = $('reply-send');
  const text = box.value;
  const max = state.replyMaxChars;
  $('reply-error').textContent = '';
  if (!id || btn.disabled) return;
  if (!text.trim()) { $('reply-error').textContent = '返信の内容を入力してください。'; return; }
  if (max && codePoints(text) > max) { $('reply-error').textContent = `返信は${max}文字以内にしてください。`; return; }
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

export function onReplyKey(e) {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); sendReply(); }
}
