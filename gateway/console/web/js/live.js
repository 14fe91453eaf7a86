// The live socket /api/live: queue changes and delivery states, with reconnection.
import { api } from './api.js';
import { onDeliveryEvent } from './conversation.js';
import { $ } from './dom.js';
import { scheduleRefresh } from './refresh.js';
import { state } from './state.js';

function liveUrl() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`;
}

function setLive(text, cls) {
  const s = $('live-status');
  s.textContent = text;
  s.className = `live-status ${cls}`;
}

export function connectLive() {
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

export function closeLive() {
  clearTimeout(state.wsTimer);
  const ws = state.ws;
  state.ws = null;
  state.wsRetry = 0;
  state.wsOpenedOnce = false;
  if (ws) { try { ws.close(); } catch (e) { /* already closed */ } }
  setLive('', '');
}
