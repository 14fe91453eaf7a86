// DOM helpers. Untrusted text only ever goes through textContent (no innerHTML with data).
export const $ = (id) => document.getElementById(id);

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

export function fillSelect(select, pairs, value) {
  clear(select);
  pairs.forEach(([v, label]) => {
    const opt = el('option', '', label);
    opt.value = v;
    select.appendChild(opt);
  });
  if (value !== undefined) select.value = value;
}

let toastTimer = null;
export function toast(text) {
  const t = $('toast');
  t.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.textContent = ''; }, 4000);
}

export const enc = encodeURIComponent;
export const sameId = (a, b) => a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
