// The console's second pass (issue 15) in Debian's Chromium: what counselors stumbled on.
// Started by tests/integration/console_browser_test.cpp (ConsoleBrowser.SecondPass…), which
// fills the queue through signed LINE webhooks and lets triage finish first.
//
//   node console_second_pass_e2e.mjs <console url> <artifact dir> <counselor> <other counselor>
//        <supervisor> <administrator> <password> <conversations in the counselor's window> <a preview's first line>
//        <a word of that message's second line> <the window to hand over to>
//
// Checks: a supervisor writes a 定型文 (a mistyped placeholder refused with its reason) and
// the counselor inserts it filled for the window and edits it before sending; at least ten queue rows visible at 1366×768, each with a preview and 未読 until
// opened; the 情報提供 filter and the overview count; the search by pseudonym; the search
// within an open case; the assign list offering only colleagues who can see the case;
// toasts clear of the panels; a hand-over to a window the counselor does not serve closing
// the case with a notice and no 403 afterwards; labels, contrast, focus and no overlap at
// 1366×768 and 1920×1080, with screenshots of each. Prints one JSON line, exit 0 on success.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { browserFor, fail, login as loginAt, runScenario } from './browser.mjs';

const [url, artifacts, counselor, otherCounselor, supervisor, admin, password, expectedCount, firstLine, secondLineWord,
  transferWindow] = process.argv.slice(2);
if (!transferWindow) {
  console.error('usage: node console_second_pass_e2e.mjs URL ARTIFACTS COUNSELOR OTHER SUPERVISOR ADMIN PASSWORD COUNT FIRST_LINE WORD WINDOW');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const login = (page, username, pass) => loginAt(page, url, username, pass);
const total = Number(expectedCount);

// Rows entirely inside the queue's scroll box.
const visibleRows = (page) => page.evaluate(() => {
  const box = document.getElementById('queue').getBoundingClientRect();
  return Array.from(document.querySelectorAll('#queue .queue-item'))
    .filter((b) => { const r = b.getBoundingClientRect(); return r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5; }).length;
});

// Layout faults: panes overlapping, the top bar or a pane's content wider than its box,
// the toast (when shown) over a pane.
const layoutProblems = (page, paneIds) => page.evaluate((given) => {
  const out = [];
  const rect = (id) => document.getElementById(id).getBoundingClientRect();
  const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const panes = given || ['queue-pane', 'conversation', 'case-panel'];
  for (let i = 0; i < panes.length; i += 1)
    for (let j = i + 1; j < panes.length; j += 1)
      if (overlap(rect(panes[i]), rect(panes[j]))) out.push(`${panes[i]} overlaps ${panes[j]}`);
  const bar = document.querySelector('.topbar');
  if (bar.scrollWidth > bar.clientWidth + 1) out.push(`top bar overflows (${bar.scrollWidth} > ${bar.clientWidth})`);
  for (const id of [...panes, ...(given ? [] : ['queue-filters'])]) {
    const el = document.getElementById(id);
    if (el.scrollWidth > el.clientWidth + 1) out.push(`${id} scrolls sideways (${el.scrollWidth} > ${el.clientWidth})`);
  }
  const toast = document.getElementById('toast');
  if (toast.textContent) for (const p of panes) if (overlap(toast.getBoundingClientRect(), rect(p))) out.push(`toast over ${p}`);
  if (window.innerHeight < document.documentElement.scrollHeight - 1) out.push('the page itself scrolls');
  return out;
}, paneIds || null);

// Every visible form control has an accessible name.
const unlabelled = (page) => page.evaluate(() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter((e) => e.offsetParent !== null && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
  .map((e) => e.id || e.name || e.tagName));

// WCAG contrast of text against the first opaque background behind it (AA: 4.5:1).
const lowContrast = (page, selectors) => page.evaluate((sels) => {
  const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let n = el; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.99)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const sel of sels) {
    for (const el of document.querySelectorAll(sel)) {
      if (el.offsetParent === null || !el.textContent.trim()) continue;
      const a = lum(rgb(getComputedStyle(el).color).slice(0, 3)), b = lum(background(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) out.push(`${sel} ${ratio.toFixed(2)}`);
      break; // one element per selector is enough: they share their styles
    }
  }
  return out;
}, selectors);

const TEXT = ['.queue-item .contact', '.queue-item .preview', '.queue-item .where', '.queue-item .waiting',
  '.queue-item .assignee', '.queue-item .unread-mark', '.urgency', '.hint', '.case-tabs [role="tab"]', '.toast',
  '.search-box summary', '.entry-meta', '.bubble .meta', 'label', '.live-status', '.conv-meta .meta-text'];

await runScenario(artifacts, 'second-pass-failure.png', async (result, watch) => {
  // The supervisor writes a 定型文 for every window.
  const sup = await browserFor('supervisor');
  watch(sup.page);
  await login(sup.page, supervisor, password);
  await sup.page.locator('#templates-tab').click();
  await sup.page.locator('#template-placeholders').filter({ hasText: '{窓口名}' }).waitFor();
  await sup.page.locator('#template-title').fill('受付のごあいさつ');
  await sup.page.locator('#template-body').fill('{窓口名}の相談員です。受付時刻は{受付時刻}です。');
  await sup.page.locator('#template-save').click();
  await sup.page.locator('#template-error').filter({ hasText: '差し込み項目' }).waitFor();
  result.template_error = (await sup.page.locator('#template-error').textContent()).trim();
  await sup.page.locator('#template-body').fill('{窓口名}の相談員です。受付時間は{受付時間}です。ご都合のよい時間を教えてください。');
  await sup.page.locator('#template-save').click();
  await sup.page.locator('#template-list button').filter({ hasText: '受付のごあいさつ' }).waitFor();
  result.template_layout = await layoutProblems(sup.page, ['templates-view']);
  await sup.page.screenshot({ path: join(artifacts, 'templates-1366.png') });

  const c = await browserFor('counselor');
  const page = c.page;
  watch(page);
  await login(page, counselor, password);
  await page.locator('#live-status.on').waitFor();
  const items = page.locator('#queue .queue-item');
  await page.waitForFunction((n) => document.querySelectorAll('#queue .queue-item').length === n, total);

  // Dense rows: at least ten at 1366×768, each with its preview and 未読.
  result.visible_rows_1366 = await visibleRows(page);
  if (result.visible_rows_1366 < 10) fail(`only ${result.visible_rows_1366} queue rows visible at 1366×768`);
  const previews = await items.locator('.preview').allTextContents();
  result.empty_previews = previews.filter((p) => !p.trim()).length;
  result.preview_found = previews.includes(firstLine);
  result.unread_marks = await items.locator('.unread-mark').count();
  await page.screenshot({ path: join(artifacts, 'queue-1366.png') });

  // 情報提供: the filter finds the plain question.
  await page.locator('#filter-urgency').selectOption('info');
  await page.waitForFunction(() => document.querySelectorAll('#queue .queue-item').length === 1);
  result.info_badge = (await items.first().locator('.urgency').textContent()).trim();
  await page.locator('#filter-urgency').selectOption('');
  await page.waitForFunction((n) => document.querySelectorAll('#queue .queue-item').length === n, total);

  // Search by pseudonym: the beginning of one, as a counselor would copy it from a note.
  const third = (await items.nth(2).locator('.contact').textContent()).trim();
  const prefix = third.replace(/^相談者 #/, '').slice(0, 4).toLowerCase();
  await page.locator('#search-box summary').click();
  await page.locator('#search-contact').fill(prefix);
  await page.locator('#search-submit').click();
  await page.locator('#queue-count').filter({ hasText: '検索結果' }).waitFor();
  const found = (await items.locator('.contact').allTextContents()).map((t) => t.trim());
  result.search_hits = found.length;
  result.search_found_it = found.includes(third);
  if (found.some((t) => !t.replace(/^相談者 #/, '').toLowerCase().startsWith(prefix))) fail(`search found others: ${found}`);
  // A mistake the page can name is said there, not sent.
  await page.locator('#search-from').fill('2026-12-02');
  await page.locator('#search-to').fill('2026-12-01');
  await page.locator('#search-submit').click();
  result.search_error = (await page.locator('#search-error').textContent()).trim();
  await page.locator('#search-clear').click();
  await page.waitForFunction((n) => document.querySelectorAll('#queue .queue-item').length === n, total);
  await page.locator('#search-box summary').click();

  // Open the two-line message: 未読 goes, the search within the case finds its second line.
  const target = items.filter({ has: page.locator('.preview', { hasText: firstLine }) });
  await target.click();
  await page.locator('#messages .message').first().waitFor();
  await page.waitForFunction((line) => {
    const b = Array.from(document.querySelectorAll('#queue .queue-item')).find((x) => x.querySelector('.preview').textContent === line);
    return b && !b.querySelector('.unread-mark');
  }, firstLine);
  result.unread_after_open = await target.locator('.unread-mark').count();
  await page.locator('#message-search').fill(secondLineWord);
  result.message_search_count = (await page.locator('#message-search-count').textContent()).trim();
  result.messages_shown = await page.locator('#messages .message:visible').count();
  await page.locator('#message-search').fill('');

  // The 定型文, filled for this window, inserted at the cursor and edited before sending.
  await page.locator('#template-picker').waitFor();
  await page.locator('#reply-text').fill('こんにちは。');
  await page.locator('#template-select').selectOption({ label: '受付のごあいさつ' });
  await page.locator('#template-insert').click();
  result.reply_with_template = await page.locator('#reply-text').inputValue();
  await page.locator('#reply-text').fill('');

  // The 経過記録 is the first tab, in view without scrolling.
  result.history_tab_selected = await page.locator('#case-tab-history').getAttribute('aria-selected');
  const entriesBox = await page.locator('#entries').boundingBox();
  result.entries_top = entriesBox ? Math.round(entriesBox.y) : -1;
  if (!entriesBox || entriesBox.y > 768 - 40) fail(`経過記録 starts below the screen (${result.entries_top})`);
  await page.screenshot({ path: join(artifacts, 'conversation-1366.png') });

  // Who may take the case: the supervisor, never a counselor of another window.
  await page.locator('#case-tab-case').click();
  result.assign_options = (await page.locator('#assign-user option').allTextContents()).map((t) => t.trim());
  if (result.assign_options.some((o) => o.startsWith(otherCounselor))) fail(`assign list offers ${otherCounselor}`);
  if (!result.assign_options.some((o) => o.startsWith(supervisor))) fail(`assign list lacks ${supervisor}`);
  // Keyboard: arrows move between the tabs.
  await page.locator('#case-tab-case').focus();
  await page.keyboard.press('ArrowRight');
  result.arrow_tab = await page.evaluate(() => document.activeElement.id);

  // A toast shows in the top bar, over nothing.
  await page.locator('#case-tab-case').click();
  await page.locator('#claim').click();
  await page.locator('#toast').filter({ hasText: '担当' }).waitFor();
  result.layout_1366 = await layoutProblems(page);
  result.unlabelled = await unlabelled(page);
  result.low_contrast = await lowContrast(page, TEXT);
  await page.screenshot({ path: join(artifacts, 'toast-1366.png') });

  // Focus is visible on a queue row reached by keyboard (j: the next conversation).
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('j');
  result.focus_outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);

  // 1920×1080: the same page, nothing overlapping, screenshots kept.
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.waitForTimeout(200);
  result.visible_rows_1920 = await visibleRows(page);
  result.layout_1920 = await layoutProblems(page);
  await page.screenshot({ path: join(artifacts, 'conversation-1920.png') });
  await page.setViewportSize({ width: 1366, height: 768 });

  // Hand it over to a window this counselor does not serve: the case closes with a notice,
  // leaves the queue, and nothing polls it afterwards (a 403 would be a page problem).
  const title = (await page.locator('#conversation-title').textContent()).trim();
  await page.locator('#case-tab-actions').click();
  await page.locator('#transfer-window').selectOption({ label: transferWindow });
  await page.locator('#transfer-note').fill('若者の窓口で継続して対応をお願いします。');
  await page.locator('#transfer-submit').click();
  await page.locator('#conversation-closed').filter({ hasText: transferWindow }).waitFor();
  result.closed_notice = (await page.locator('#conversation-closed').textContent()).trim();
  result.body_hidden = await page.locator('#conversation-body').isHidden();
  await page.waitForFunction((n) => document.querySelectorAll('#queue .queue-item').length === n - 1, total);
  result.still_listed = (await items.locator('.contact').allTextContents()).map((t) => t.trim()).includes(title);
  await page.waitForTimeout(3000); // live refreshes and timers would ask again here
  await page.screenshot({ path: join(artifacts, 'after-transfer-1366.png') });

  // The supervisor's overview counts the 情報提供 conversation.
  watch(sup.page);
  await sup.page.locator('#supervisor-tab').click();
  await sup.page.locator('#overview-summary').filter({ hasText: '情報提供 1件' }).waitFor();
  result.overview_summary = (await sup.page.locator('#overview-summary').textContent()).trim();
  await sup.page.screenshot({ path: join(artifacts, 'overview-1366.png') });

  // An administrator: no consultation, the 定型文 page (and no refused request on the way).
  const adm = await browserFor('admin');
  watch(adm.page);
  await login(adm.page, admin, password);
  await adm.page.locator('#admin-notice').waitFor();
  await adm.page.locator('#template-list button').filter({ hasText: '受付のごあいさつ' }).waitFor();
  result.admin_workspace_hidden = await adm.page.locator('#workspace').isHidden();
  result.admin_layout = await layoutProblems(adm.page, ['admin-notice', 'templates-view']);
  await adm.page.screenshot({ path: join(artifacts, 'admin-1366.png') });
  return [c.context, sup.context, adm.context];
});
