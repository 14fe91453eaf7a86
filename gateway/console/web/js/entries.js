// The case history (right column): notes, hand-overs, urgency changes, contacts, triage.
import { $, clear, el } from './dom.js';
import { formatTime } from './format.js';
import { AUTO_REPLY, METHOD, URGENCY, labelOf } from './labels.js';

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

export function renderEntries(entries) {
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
