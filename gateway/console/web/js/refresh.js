// Reloading what is on screen after a live event (bursts coalesced into one round).
import { loadDetail, loadMessages } from './conversation.js';
import { pollEmergencies } from './emergency.js';
import { loadOverview } from './overview.js';
import { loadQueue } from './queue.js';
import { state } from './state.js';

export function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(refreshAll, 250);
}

export function refreshAll() {
  if (!state.user || state.user.role === 'admin') return;
  loadQueue();
  pollEmergencies();
  if (state.user.role === 'supervisor' && state.view === 'overview') loadOverview();
  if (state.openId) { loadDetail(state.openId); loadMessages(state.openId, false); }
}
