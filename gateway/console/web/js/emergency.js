// The 緊急 alert: a banner (and an optional sound) for every new emergency case.
import { api } from './api.js';
import { $ } from './dom.js';
import { state } from './state.js';

export const BEEP_KEY = 'madoguchi.console.beep';

// Separate request so a narrow queue filter never hides a new 緊急 case.
export async function pollEmergencies() {
  try {
    const data = await api('GET', '/api/conversations?status=open&urgency=emergency');
    if (state.user) checkEmergencies(data.conversations || []);
  } catch (e) { /* the queue request reports errors */ }
}

export function checkEmergencies(list) {
  const fresh = list.filter((c) => c.urgency === 'emergency' && c.status !== 'closed' && !state.seenEmergency.has(String(c.id)));
  if (!fresh.length) return;
  fresh.forEach((c) => state.seenEmergency.add(String(c.id)));
  const first = fresh[0];
  state.alertTargetId = String(first.id);
  const where = first.window && first.window.name ? `（${first.window.name}）` : '';
  const more = fresh.length > 1 ? ` ほか${fresh.length - 1}件` : '';
  $('emergency-text').textContent = `緊急の相談があります: ${first.contact}${where}${more}`;
  $('emergency-alert').hidden = false;
  if ($('beep-toggle').checked) beep();
}

function audioContext() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return null;
  if (!state.audio) state.audio = new Ctx();
  if (state.audio.state === 'suspended') state.audio.resume();
  return state.audio;
}

// Two short tones; quiet enough for a shared office.
function beep() {
  try {
    const ctx = audioContext();
    if (!ctx) return;
    [0, 0.25].forEach((offset) => {
      const t = ctx.currentTime + offset;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.2);
    });
  } catch (e) { /* sound is optional */ }
}

export function onBeepToggle() {
  const on = $('beep-toggle').checked;
  try { localStorage.setItem(BEEP_KEY, on ? '1' : '0'); } catch (e) { /* private mode */ }
  // Browsers only allow audio after a user gesture: unlock it now and let the user hear it once.
  if (on) beep();
}
