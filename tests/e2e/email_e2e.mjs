// The console with an email conversation in Debian's Chromium: started by
// tests/integration/email_browser_test.cpp, which delivered a mail with a PDF attachment over
// LMTP and runs the SMTP sink. This script plays the counselor: the subject and the sender
// warning are shown with the mail, the attachment is a download (never inline, audited by the
// server), and the reply typed in the box is sent (送信済み).
//
//   node email_e2e.mjs <console url> <artifact dir> <counselor> <password> <subject> <reply text>
//
// Prints one JSON line {"ok":true,...}; on failure "error", `email-failure.png`, exit code 1.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { browserFor, fail, login, runScenario } from './browser.mjs';

const [url, artifacts, counselor, password, subject, replyText] = process.argv.slice(2);
if (!replyText) {
  console.error('usage: node email_e2e.mjs URL ARTIFACT_DIR COUNSELOR PASSWORD SUBJECT REPLY_TEXT');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

await runScenario(artifacts, 'email-failure.png', async (result, watch) => {
  const c = await browserFor('counselor');
  const page = c.page;
  watch(page);
  await login(page, url, counselor, password);
  await page.locator('#queue .queue-item').first().waitFor();
  await page.locator('#live-status.on').waitFor();
  const top = page.locator('#queue .queue-item').first();
  result.channel = (await top.locator('.where').textContent()).trim().endsWith('メール');
  await top.click();

  const mail = page.locator('#messages .message[data-direction="in"]').first();
  await mail.locator('.subject').waitFor();
  result.subject = (await mail.locator('.subject').textContent()).trim();
  if (result.subject !== `件名: ${subject}`) fail(`subject shown as ${result.subject}`);
  result.notes = await mail.locator('.mail-note').allTextContents();

  // The attachment: its own row with a download link, nothing rendered inline.
  const link = page.locator('#messages .message[data-direction="in"] .media a.media-download');
  await link.first().waitFor({ timeout: 15000 });
  result.attachment_link = (await link.first().textContent()).trim();
  result.attachment_named = (await page.locator('#messages').textContent()).includes('添付ファイル：shorui.pdf');
  result.attachment_download_attr = await link.first().evaluate((a) => a.hasAttribute('download'));
  result.inline = await page.locator('#messages img, #messages video, #messages audio, #messages iframe, #messages embed, #messages object').count();
  const href = await link.first().getAttribute('href');
  const got = await page.evaluate(async (h) => {
    const r = await fetch(h, { credentials: 'same-origin' });
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'),
      head: String.fromCharCode(...b.slice(0, 5)) };
  }, href);
  Object.assign(result, { download_status: got.status, download_type: got.type, download_disposition: got.disposition,
    download_head: got.head });

  await page.locator('#reply-text').fill(replyText);
  await page.locator('#reply-send').click();
  const sent = page.locator('#messages .message[data-direction="out"]').filter({ hasText: replyText.split('\n')[0] });
  await sent.locator('.delivery').filter({ hasText: '送信済み' }).waitFor();
  result.delivery = (await sent.locator('.delivery').textContent()).trim();
  await page.screenshot({ path: join(artifacts, 'email.png') });

  return [c.context];
});
