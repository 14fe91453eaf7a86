// Channel names and limits as the server describes them (GET /api/channels): the UI knows no
// channel itself, so a new channel needs no change here.
import { api } from './api.js';
import { state } from './state.js';

export async function loadChannels() {
  const data = await api('GET', '/api/channels');
  state.channels = new Map((data.channels || []).map((c) => [c.type, c]));
  state.replyMaxChars = Number(data.reply_max_chars) || 0;
}

export function forgetChannels() {
  state.channels = new Map();
  state.replyMaxChars = 0;
}

// The served label, or the raw type when the server did not describe it.
export function channelLabel(type) {
  const c = state.channels.get(type);
  return (c && c.label) || type || '';
}

// Japanese notice when a reply on this channel may go out as several messages; '' otherwise.
export function splitNotice(type) {
  const c = state.channels.get(type);
  const max = c ? Number(c.message_max_units) || 0 : 0;
  return max > 0 ? `${max.toLocaleString('ja-JP')}字を超える返信は複数のメッセージに分けて送ります` : '';
}

// Characters as the server counts them: code points, not UTF-16 units.
export const codePoints = (text) => [...text].length;
