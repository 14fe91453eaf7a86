// The case panel (right column), in three tabs (case_tabs.js): the 経過 (status, notes, the
// case record), the case fields and assignment, and urgency, hand-over and contact records.
// Forms the user is editing are "dirty": live refreshes must not overwrite them.
import { api, convPath } from './api.js';
import { showCaseTab } from './case_tabs.js';
import { closeConversation, loadDetail, openConversation } from './conversation.js';
import { $, clear, el, enc, fillSelect, sameId, toast } from './dom.js';
import { renderEntries } from './entries.js';
import { todayTokyo } from './format.js';
import { AGE_BAND, CONSENT, ROLE, STATUS, WRITER } from './labels.js';
import { loadQueue } from './queue.js';
import { state } from './state.js';

const CASE_FORMS = ['case-form', 'assign-form', 'urgency-form', 'transfer-form', 'contact-form', 'note-form'];

export function resetCaseForms() {
  CASE_FORMS.forEach((id) => {
    const f = $(id);
    f.reset();
    delete f.dataset.dirty;
    f.querySelector('.form-error').textContent = '';
  });
  $('status-error').textContent = '';
  $('assign-error').textContent = '';
  $('contact-date').value = todayTokyo();
  showCaseTab('history');
}

export function renderCasePanel(data) {
  const c = data.conversation || {};
  const kase = c.case || {};
  $('case-empty').hidden = true;
  $('case-body').hidden = false;

  if (!$('case-form').dataset.dirty) {
    fillSelect($('case-writer'), WRITER, kase.writer || '');
    fillSelect($('case-age'), AGE_BAND, kase.age_band || '');
    fillSelect($('case-consent'), CONSENT, kase.consent || '');
    $('case-household').value = kase.household || '';
  }
  renderHousehold(data.household_cases || []);
  renderAssign(c);
  if (!$('urgency-form').dataset.dirty) $('urgency-select').value = c.urgency || 'normal';
  renderTransferTargets(c);
  if (!$('contact-form').dataset.dirty && !$('contact-date').value) $('contact-date').value = todayTokyo();
  $('status-current').textContent = `現在: ${c.status_label || STATUS[c.status] || ''}`;
  $('close-case').hidden = c.status === 'closed';
  $('reopen-case').hidden = c.status !== 'closed';
  renderEntries(data.entries || []);
}

function renderHousehold(cases) {
  const list = $('household-list');
  clear(list);
  const others = cases.filter((h) => !sameId(h.id, state.openId));
  $('household-block').hidden = others.length === 0;
  others.forEach((h) => {
    const li = el('li');
    const a = el('a', 'case-link', `${h.contact}（${STATUS[h.status] || h.status || ''}）`);
    a.href = `#conversation=${enc(h.id)}`;
    a.addEventListener('click', (e) => { e.preventDefault(); openConversation(h.id); });
    li.appendChild(a);
    list.appendChild(li);
  });
}

function renderAssign(c) {
  const me = state.user.username;
  $('assignee-current').textContent = c.assignee ? `担当: ${c.assignee}${c.assignee === me ? '（自分）' : ''}` : '未割当';
  $('claim').hidden = c.assignee === me;
  $('release').hidden = !c.assignee;
  if ($('assign-form').dataset.dirty) return;
  // Only colleagues who can see the case (the server's rule, whoever assigns): supervisors,
  // and counselors of the case's window.
  const winId = c.window ? String(c.window.id) : '';
  const staff = state.staff.filter((s) => s.username !== c.assignee &&
    (s.role === 'supervisor' || (s.role === 'counselor' && (s.windows || []).map(String).includes(winId))));
  fillSelect($('assign-user'), [['', '選んでください']].concat(staff.map((s) => [s.username, `${s.username}（${ROLE[s.role] || s.role}）`])), '');
  $('assign-form').hidden = staff.length === 0;
}

function renderTransferTargets(c) {
  if ($('transfer-form').dataset.dirty) return;
  const current = c.window ? String(c.window.id) : '';
  const targets = state.windows.filter((w) => String(w.id) !== current);
  fillSelect($('transfer-window'), [['', '選んでください']].concat(targets.map((w) => [String(w.id), w.name])), '');
}

// Shared runner for the case actions: CSRF'd request, error in place, then refresh.
async function caseAction(button, errorEl, path, body, success, method, onDone) {
  const id = state.openId;
  if (!id) return false;
  errorEl.textContent = '';
  button.disabled = true;
  try {
    await api(method || 'POST', convPath(id, path), body || {});
    toast(success);
    if (onDone) onDone(); // before the reload, so the reload shows server values
    if (state.openId === id) await loadDetail(id);
    loadQueue();
    return true;
  } catch (err) {
    if (state.openId === id) errorEl.textContent = err.message;
    return false;
  } finally {
    button.disabled = false;
  }
}

function formParts(formId) {
  const form = $(formId);
  return { form, button: form.querySelector('button[type="submit"]'), error: form.querySelector('.form-error') };
}

// `after` (optional) runs once the change is saved, before the reload.
async function submitForm(formId, validate, path, body, success, method, after) {
  const f = formParts(formId);
  const problem = validate();
  if (problem) { f.error.textContent = problem; return; }
  const payload = body();
  delete f.form.dataset.dirty; // let the refresh show the saved values
  const ok = await caseAction(f.button, f.error, path, payload, success, method, () => {
    f.form.reset();
    if (formId === 'contact-form') $('contact-date').value = todayTokyo();
    if (after) after();
  });
  if (!ok) f.form.dataset.dirty = '1';
}

function onCaseSave(e) {
  e.preventDefault();
  const f = formParts('case-form');
  delete f.form.dataset.dirty;
  caseAction(f.button, f.error, '/case', {
    writer: $('case-writer').value, age_band: $('case-age').value,
    household: $('case-household').value.trim(), consent: $('case-consent').value,
  }, 'ケース情報を保存しました。', 'PUT').then((ok) => { if (!ok) f.form.dataset.dirty = '1'; });
}

function onAssign(e) {
  e.preventDefault();
  submitForm('assign-form', () => ($('assign-user').value ? '' : '担当者を選んでください。'),
    '/assign', () => ({ username: $('assign-user').value }), '担当者を割り当てました。');
}

function onUrgency(e) {
  e.preventDefault();
  submitForm('urgency-form', () => ($('urgency-reason').value.trim() ? '' : '変更の理由を入力してください。'),
    '/urgency', () => ({ urgency: $('urgency-select').value, reason: $('urgency-reason').value.trim() }), '緊急度を変更しました。');
}

function onTransfer(e) {
  e.preventDefault();
  let target = null;
  submitForm('transfer-form', () => {
    if (!$('transfer-window').value) return 'つなぎ先の窓口を選んでください。';
    return $('transfer-note').value.trim() ? '' : '申し送りを入力してください。';
  }, '/transfer', () => {
    target = state.windows.find((x) => String(x.id) === $('transfer-window').value);
    return { window_id: target ? target.id : $('transfer-window').value, note: $('transfer-note').value.trim() };
  }, '他の窓口へつなぎました。', 'POST', () => {
    // A counselor who does not serve the new window can no longer read the case: leave it
    // (the server would answer 403 from now on) and say where it went.
    const mine = (state.user.windows || []).some((w) => target && String(w.id) === String(target.id));
    if (state.user.role !== 'supervisor' && !mine)
      closeConversation(`「${target ? target.name : '他の窓口'}」へつなぎました。担当の窓口ではないため、この相談は一覧に表示されなくなります。`);
  });
}

function onContact(e) {
  e.preventDefault();
  const raw = $('contact-duration').value;
  const minutes = Number(raw);
  submitForm('contact-form', () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test($('contact-date').value)) return '日付を入力してください。';
    if (raw === '' || !Number.isInteger(minutes) || minutes < 0) return '所要時間を0以上の分数で入力してください。';
    return '';
  }, '/contacts', () => {
    const body = { method: $('contact-method').value, date: $('contact-date').value, duration_minutes: minutes };
    if ($('contact-note').value.trim()) body.note = $('contact-note').value.trim();
    return body;
  }, '記録を追加しました。');
}

function onNote(e) {
  e.preventDefault();
  submitForm('note-form', () => ($('note-text').value.trim() ? '' : 'メモの内容を入力してください。'),
    '/notes', () => ({ text: $('note-text').value }), '内部メモを追加しました。');
}

function markDirty(e) { e.currentTarget.dataset.dirty = '1'; }

export function bindCasePanel() {
  CASE_FORMS.forEach((id) => { $(id).addEventListener('input', markDirty); $(id).addEventListener('change', markDirty); });
  $('case-form').addEventListener('submit', onCaseSave);
  $('assign-form').addEventListener('submit', onAssign);
  $('urgency-form').addEventListener('submit', onUrgency);
  $('transfer-form').addEventListener('submit', onTransfer);
  $('contact-form').addEventListener('submit', onContact);
  $('note-form').addEventListener('submit', onNote);
  $('claim').addEventListener('click', () => caseAction($('claim'), $('assign-error'), '/claim', {}, '担当になりました。'));
  $('release').addEventListener('click', () => caseAction($('release'), $('assign-error'), '/release', {}, '担当を外しました。'));
  $('close-case').addEventListener('click', () => caseAction($('close-case'), $('status-error'), '/close', {}, '相談を終了しました。'));
  $('reopen-case').addEventListener('click', () => caseAction($('reopen-case'), $('status-error'), '/reopen', {}, '相談を再開しました。'));
}
