// Times, waiting times and small badges, always in Japan time.
import { el } from './dom.js';
import { URGENCY } from './labels.js';

const timeFmt = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});
const dayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' });

// "12/01 21:05" in Japan time, whatever the counselor's machine is set to.
export function formatTime(ms) {
  if (typeof ms !== 'number' || !isFinite(ms)) return '';
  const p = {};
  timeFmt.formatToParts(new Date(ms)).forEach((x) => { p[x.type] = x.value; });
  return `${p.month}/${p.day} ${p.hour}:${p.minute}`;
}

export function todayTokyo() { return dayFmt.format(new Date()); } // YYYY-MM-DD

export function formatDuration(mins) {
  if (mins < 60) return `${mins}分`;
  const h = Math.floor(mins / 60), m = mins % 60;
  if (h < 24) return m ? `${h}時間${m}分` : `${h}時間`;
  const d = Math.floor(h / 24), hh = h % 24;
  return hh ? `${d}日${hh}時間` : `${d}日`;
}

// null waiting_since_ms means the last message was answered.
export function formatWaiting(since) {
  if (since === null || since === undefined) return '返信済み';
  const mins = Math.max(0, Math.floor((Date.now() - since) / 60000));
  return `待ち ${formatDuration(mins)}`;
}

export const urgencyLabel = (c) => c.urgency_label || URGENCY[c.urgency] || c.urgency || '';
export const assigneeText = (a) => (a ? `担当: ${a}` : '未割当');

export function urgencyBadge(c) {
  // Colour is only a hint: the Japanese label is always written out.
  const code = URGENCY[c.urgency] ? c.urgency : 'normal';
  return el('span', `urgency urgency-${code}`, urgencyLabel(c));
}
