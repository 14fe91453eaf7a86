// Shared by the browser tests: Debian's Chromium through playwright-core, as root in a
// closed network, one fresh profile per person, and every page problem collected.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// As root in a closed network: no sandbox, no background connections, a fresh profile.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const STEP_MS = 20000;

const profiles = [];
export const problems = []; // console errors, CSP violations, failed page requests

export async function browserFor(name) {
  const dir = mkdtempSync(join(tmpdir(), `madoguchi-e2e-${name}-`));
  profiles.push(dir);
  // 13-inch laptop: 1366×768 is the smallest screen the console is designed for.
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium', headless: true, args: FLAGS,
    viewport: { width: 1366, height: 768 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo',
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  // Failed requests are judged by the response listener below, everything else logged as an
  // error (CSP violations, script errors) is a problem.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`${name} console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${name} page error: ${e.message}`));
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    // The 401s we provoke on purpose: the session check before login and the wrong password.
    const expected = r.status() === 401 && (path === '/api/session' || path === '/api/login');
    if (r.status() >= 400 && !expected) problems.push(`${name} ${r.status()} ${r.request().method()} ${path}`);
  });
  return { context, page };
}

export function removeProfiles() { profiles.forEach((d) => rmSync(d, { recursive: true, force: true })); }

export async function login(page, url, username, pass) {
  await page.goto(url);
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(pass);
  await page.locator('#login-submit').click();
}

export function fail(message) { throw new Error(message); }

// One scenario, run to its JSON line: `body(result, watch)` fills `result` and returns the
// browser contexts to close; `watch(page)` names the page photographed as `failureShot` in
// `artifacts` when a step fails. Any page problem fails the scenario. Prints
// {"ok":true,...} (or "error" and the problems) and exits 0 only on success.
export async function runScenario(artifacts, failureShot, body) {
  let current = null;
  const result = { ok: false };
  try {
    const contexts = await body(result, (page) => { current = page; });
    if (problems.length) fail(`problems in the page: ${problems.join(' | ')}`);
    result.ok = true;
    for (const c of contexts) await c.close();
  } catch (e) {
    result.error = String(e && e.message ? e.message : e).split('\n').slice(0, 6).join(' ');
    if (problems.length) result.problems = problems;
    if (current) await current.screenshot({ path: join(artifacts, failureShot) }).catch(() => {});
  } finally {
    removeProfiles();
  }
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}
