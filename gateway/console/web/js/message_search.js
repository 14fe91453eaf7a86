// Searching the open conversation's messages (already read, and audited as such, when the
// conversation was opened): the messages without the words are hidden, the count said.
import { $ } from './dom.js';

// Full-width and half-width forms compare equal (ＡＢＣ / ABC, ｶﾞ / ガ), case does not matter.
const fold = (s) => (s || '').normalize('NFKC').toLowerCase();

export function applyMessageSearch() {
  const query = fold($('message-search').value.trim());
  const items = Array.from($('messages').children);
  let found = 0;
  items.forEach((li) => {
    const hit = !query || fold(li.textContent).includes(query);
    li.hidden = !hit;
    if (hit) found += 1;
  });
  $('message-search-count').textContent = query ? `${found}件` : '';
}

export function resetMessageSearch() {
  $('message-search').value = '';
  $('message-search-count').textContent = '';
}

export function bindMessageSearch() {
  $('message-search').addEventListener('input', applyMessageSearch);
}
