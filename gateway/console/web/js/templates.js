// 定型文: picking one while answering (inserted at the cursor, edited before sending), and
// the management view of supervisors and administrators. The server fills the placeholders
// for the conversation's window and checks every change.
import { api, convPath } from './api.js';
import { $, clear, el, fillSelect, toast } from './dom.js';
import { updateCounter } from './reply.js';
import { state } from './state.js';

// ---- answering

export async function loadReplyTemplates(id) {
  state.replyTemplates = [];
  $('template-picker').hidden = true;
  let data;
  try {
    data = await api('GET', convPath(id, '/templates'));
  } catch (err) {
    return; // the conversation's own errors are shown by its loaders
  }
  if (state.openId !== id) return;
  state.replyTemplates = data.templates || [];
  fillSelect($('template-select'), [['', '選んでください']].concat(
    state.replyTemplates.map((t) => [String(t.id), t.window ? `${t.title}（${t.window.name}）` : t.title])), '');
  $('template-picker').hidden = state.replyTemplates.length === 0;
}

function insertTemplate() {
  const t = state.replyTemplates.find((x) => String(x.id) === $('template-select').value);
  if (!t) return;
  const box = $('reply-text');
  const start = box.selectionStart ?? box.value.length, end = box.selectionEnd ?? start;
  box.value = box.value.slice(0, start) + t.filled + box.value.slice(end);
  box.focus();
  box.selectionStart = box.selectionEnd = start + t.filled.length;
  $('template-select').value = '';
  updateCounter();
}

// ---- managing

let editing = null; // the template in the form, null for a new one
let placeholders = [];

// The first "{…}" that is not a placeholder (the server refuses it too), or ''.
function unknownPlaceholder(body) {
  const found = body.match(/\{[^{}]*\}?/g) || [];
  return found.find((p) => !placeholders.includes(p)) || '';
}

export async function loadTemplateView() {
  let data;
  try {
    data = await api('GET', '/api/templates');
  } catch (err) {
    $('template-error').textContent = err.message;
    return;
  }
  state.templates = data.templates || [];
  placeholders = data.placeholders || [];
  $('template-placeholders').textContent = placeholders.join(' ');
  if (!state.windows.length) {
    try { state.windows = (await api('GET', '/api/windows')).windows || []; } catch (e) { /* shown on save */ }
  }
  fillSelect($('template-window'), [['', 'すべての窓口（共通）']].concat(state.windows.map((w) => [String(w.id), w.name])));
  renderList();
  const again = editing && state.templates.find((t) => t.id === editing.id);
  edit(again || null);
}

function renderList() {
  const list = $('template-list');
  clear(list);
  state.templates.forEach((t) => {
    const li = el('li');
    const b = el('button', '', t.title);
    b.type = 'button';
    b.dataset.id = String(t.id);
    b.appendChild(el('span', 'template-window', t.window ? t.window.name : '共通'));
    if (editing && editing.id === t.id) b.setAttribute('aria-current', 'true');
    b.addEventListener('click', () => edit(t));
    li.appendChild(b);
    list.appendChild(li);
  });
  $('template-list-empty').hidden = state.templates.length > 0;
}

function edit(t) {
  editing = t;
  $('template-title').value = t ? t.title : '';
  $('template-body').value = t ? t.body : '';
  $('template-window').value = t && t.window ? String(t.window.id) : '';
  $('template-delete').hidden = !t;
  $('template-error').textContent = '';
  document.querySelectorAll('#template-list button').forEach((b) => {
    if (t && b.dataset.id === String(t.id)) b.setAttribute('aria-current', 'true'); else b.removeAttribute('aria-current');
  });
}

async function save(e) {
  e.preventDefault();
  const title = $('template-title').value.trim(), body = $('template-body').value;
  if (!title) { $('template-error').textContent = '題名を入力してください。'; return; }
  if (!body.trim()) { $('template-error').textContent = '本文を入力してください。'; return; }
  const unknown = unknownPlaceholder(body);
  if (unknown) {
    $('template-error').textContent = `${unknown} は差し込み項目ではありません。使えるのは ${placeholders.join(' ')} です。`;
    return;
  }
  const win = $('template-window').value;
  const payload = { title, body, window_id: win ? Number(win) : null };
  $('template-save').disabled = true;
  try {
    const saved = editing ? await api('PUT', `/api/templates/${editing.id}`, payload) : await api('POST', '/api/templates', payload);
    editing = saved;
    toast('定型文を保存しました。');
    await loadTemplateView();
  } catch (err) {
    $('template-error').textContent = err.message;
  } finally {
    $('template-save').disabled = false;
  }
}

async function remove() {
  if (!editing || !window.confirm(`「${editing.title}」を削除しますか？`)) return;
  try {
    await api('DELETE', `/api/templates/${editing.id}`, {});
    editing = null;
    toast('定型文を削除しました。');
    await loadTemplateView();
  } catch (err) {
    $('template-error').textContent = err.message;
  }
}

export function bindTemplates() {
  $('template-insert').addEventListener('click', insertTemplate);
  $('template-form').addEventListener('submit', save);
  $('template-new').addEventListener('click', () => { edit(null); $('template-title').focus(); });
  $('template-delete').addEventListener('click', remove);
}
