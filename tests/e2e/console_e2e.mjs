// End-to-end test of the counselor console in Debian's Chromium, driven by playwright-core.
// Started by tests/integration/console_browser_test.cpp, which runs the gateway and the fake
// LINE API and checks the LINE side; this script plays the counselor and the supervisor.
//
//   node console_e2e.mjs <console url> <artifact dir> <counselor> <supervisor> <password>
//                        <inbound text> <reply text>
//
// Prints one JSON line {"ok":true,...} on success; on failure a JSON line with "error",
// a screenshot `failure.png` in the artifact dir, and exit code 1.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { browserFor, fail, login as loginAt, runScenario } from './browser.mjs';

const [url, artifacts, counselor, supervisor, password, inboundText, replyText, mediaBytes] = process.argv.slice(2);
if (!replyText) {
  console.error('usage: node console_e2e.mjs URL ARTIFACT_DIR COUNSELOR SUPERVISOR PASSWORD INBOUND_TEXT REPLY_TEXT');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const login = (page, username, pass) => loginAt(page, url, username, pass);

await runScenario(artifacts, 'failure.png', async (result, watch) => {
  // The supervisor is logged in first and watches the overview.
  const sup = await browserFor('supervisor');
  watch(sup.page);
  await login(sup.page, supervisor, password);
  await sup.page.locator('#supervisor-tab').click();
  await sup.page.locator('#overview-body .overview-open').first().waitFor();

  const c = await browserFor('counselor');
  watch(c.page);
  const page = c.page;

  // A wrong password: a Japanese error, still on the login screen.
  await login(page, counselor, `${password}-wrong`);
  await page.locator('#login-error').filter({ hasText: /[ぁ-んァ-ン一-龥]/ }).waitFor();
  result.wrong_password_error = (await page.locator('#login-error').textContent()).trim();
  if (!(await page.locator('#login-screen').isVisible())) fail('login screen left after a wrong password');

  await page.locator('#login-password').fill(password);
  await page.locator('#login-submit').click();
  await page.locator('#queue .queue-item').first().waitFor();
  await page.locator('#live-status.on').waitFor(); // the WebSocket is connected

  // The webhook's conversation is at the top of the queue.
  const top = page.locator('#queue .queue-item').first();
  result.queue_length = await page.locator('#queue .queue-item').count();
  result.top_contact = (await top.locator('.contact').textContent()).trim();
  result.top_urgency = (await top.locator('.urgency').textContent()).trim();
  await page.screenshot({ path: join(artifacts, 'queue.png') });

  await top.click();
  const inbound = page.locator('#messages .message[data-direction="in"] .text');
  await inbound.filter({ hasText: inboundText }).waitFor();
  result.title = (await page.locator('#conversation-title').textContent()).trim();
  if (result.title !== result.top_contact) fail(`opened ${result.title}, expected ${result.top_contact}`);

  // A photo the person sent: its state and a download link, never shown inline.
  if (mediaBytes) {
    const link = page.locator('#messages .message[data-direction="in"] .media a.media-download');
    await link.first().waitFor({ timeout: 15000 });
    result.media_link_text = (await link.first().textContent()).trim();
    result.media_link_download_attr = await link.first().evaluate((a) => a.hasAttribute('download'));
    result.inline_images = await page.locator('#messages img, #messages video, #messages audio, #messages iframe').count();
    const href = await link.first().getAttribute('href');
    const got = await page.evaluate(async (h) => {
      const r = await fetch(h, { credentials: 'same-origin' });
      const b = await r.arrayBuffer();
      return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'),
        size: b.byteLength };
    }, href);
    result.media_status = got.status;
    result.media_type = got.type;
    result.media_disposition = got.disposition;
    result.media_size = got.size;
    if (got.size !== Number(mediaBytes)) fail(`downloaded ${got.size} bytes, expected ${mediaBytes}`);
  }

  // Channel names and limits come from the API, not from the page: what GET /api/channels
  // serves is what the header and the reply counter show.
  const served = await page.evaluate(async () => (await fetch('/api/channels', { credentials: 'same-origin' })).json());
  const line = (served.channels || []).find((ch) => ch.type === 'line');
  result.served_line_label = line ? line.label : null;
  result.served_reply_max_chars = served.reply_max_chars;
  result.channel_label = (await page.locator('#conversation-meta .channel').textContent()).trim();
  if (result.channel_label !== (line ? line.label : 'line')) fail(`channel shown as ${result.channel_label}, served ${JSON.stringify(served)}`);

  // Reply with the keyboard shortcut path: r focuses the reply box.
  await page.locator('#conversation-title').click();
  await page.keyboard.press('r');
  if (!(await page.locator('#reply-text').evaluate((n) => n === document.activeElement))) fail('r did not focus the reply box');
  await page.keyboard.type(replyText);
  // Counted in code points, as the server counts, against the served limit.
  result.reply_counter = (await page.locator('#reply-counter').textContent()).trim();
  const counter = `${[...replyText].length} / ${served.reply_max_chars}文字`;
  if (result.reply_counter !== counter) fail(`reply counter ${result.reply_counter}, expected ${counter}`);
  result.split_notice = (await page.locator('#reply-split').isVisible()) ? (await page.locator('#reply-split').textContent()).trim() : '';
  if (line && line.message_max_units > 0 && !result.split_notice.includes(line.message_max_units.toLocaleString('ja-JP'))) {
    fail(`no split notice for ${line.message_max_units} units: ${result.split_notice}`);
  }
  await page.locator('#reply-send').click();
  const sent = page.locator('#messages .message[data-direction="out"]').filter({ hasText: replyText });
  await sent.locator('.delivery').filter({ hasText: '送信済み' }).waitFor();
  result.delivery = (await sent.locator('.delivery').textContent()).trim();
  result.reply_box_after = await page.locator('#reply-text').inputValue();

  // Raise urgency to 緊急 with a reason: the supervisor's page alerts without a reload.
  await page.locator('#case-tab-actions').click();
  await page.locator('#urgency-select').selectOption('emergency');
  await page.locator('#urgency-reason').fill('屋上にいるとの記載あり');
  await page.locator('#urgency-submit').click();
  await page.locator('#case-tab-history').click();
  await page.locator('#entries .entry-urgency').first().waitFor();
  await page.screenshot({ path: join(artifacts, 'conversation.png') });

  watch(sup.page);
  await sup.page.locator('#emergency-alert').waitFor({ state: 'visible' });
  result.alert = (await sup.page.locator('#emergency-text').textContent()).trim();
  if (!result.alert.includes(result.top_contact)) fail(`alert names another case: ${result.alert}`);
  await sup.page.locator('#overview-body tr.row-emergency').first().waitFor();
  await sup.page.screenshot({ path: join(artifacts, 'supervisor.png') });

  return [c.context, sup.context];
});
