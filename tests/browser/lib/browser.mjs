// Debian's headless Chromium driven by playwright-core (never a browser of Playwright's own), with
// every request that is not to 127.0.0.1 aborted and recorded: the portal must work offline.
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { outDir } from './lab.mjs';

export const chromiumPath = process.env.DFLAB_CHROMIUM || '/usr/bin/chromium';
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Each launch gets a new empty profile in a temporary folder (Playwright makes it and removes it).
export async function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

// A browser context whose requests are watched: `outside` lists every URL not on 127.0.0.1
// (aborted), `pageErrors` every uncaught script error, `dialogs` every alert/confirm/prompt.
export async function guardedContext(browser, options = {}) {
  const context = await browser.newContext({ acceptDownloads: true, locale: 'en-US', viewport: { width: 1280, height: 900 }, ...options });
  // A page of the portal answers in well under a second, even under the sanitizers: 15 s is a
  // failure, reported sooner than Playwright's 30 s.
  context.setDefaultTimeout(15_000);
  const watch = { context, outside: [], pageErrors: [], dialogs: [], consoleErrors: [] };
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    watch.outside.push(url.href);
    return route.abort('blockedbyclient');
  });
  context.on('page', (page) => watchPage(watch, page));
  return watch;
}

function watchPage(watch, page) {
  page.on('pageerror', (error) => watch.pageErrors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') watch.consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    // The hint confirmation is a <dialog> element, not window.confirm: any native dialog is
    // either injected script (alert) or a page that does not follow the contract.
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
}

export async function newPage(watch) {
  return watch.context.newPage();
}

// Polls `check` (async, returns truthy when done) until it holds or `timeout` ms pass; then
// throws with `what` and the last value seen.
export async function eventually(what, check, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${timeout} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The first number in a text ("25", "25.5", "25,5", "Очки: 25"), or NaN.
export function numberIn(text) {
  const match = /-?\d+(?:[.,]\d+)?/.exec(text ?? '');
  return match ? Number(match[0].replace(',', '.')) : NaN;
}

export async function pageLanguage(page) {
  return page.evaluate(() => document.documentElement.lang);
}

// Switches the page's language with select#language (the page reloads) and waits for the new
// <html lang>.
export async function switchLanguage(page, language) {
  if ((await pageLanguage(page)) === language) return;
  await Promise.all([page.waitForEvent('load'), page.selectOption('select#language', language)]);
  await eventually(`html lang becomes ${language} on ${page.url()}`, async () => (await pageLanguage(page)) === language);
}

export function sha256File(file) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => hash.update(d))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

export async function screenshot(page, name) {
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Logs in on /login with an access code and waits for /labs.
export async function loginParticipant(page, base, code) {
  await page.goto(`${base}/login`);
  await page.fill('input#code', code);
  await Promise.all([page.waitForURL(/\/labs$/), page.click('button#login')]);
}

// Logs in on /login as the instructor and waits for /instructor.
export async function loginInstructor(page, base, password) {
  await page.goto(`${base}/login`);
  await revealPassword(page);
  await page.fill('input#password', password);
  await Promise.all([page.waitForURL(/\/instructor$/), page.click('button#login')]);
}

export async function revealPassword(page) {
  if (!(await page.locator('input#password').isVisible())) await page.click('#instructor-mode');
  await page.locator('input#password').waitFor({ state: 'visible' });
}

// What a test file checks after all its steps: no request left 127.0.0.1, no script error, no
// native dialog.
export function assertClean(assert, watch) {
  assert.deepEqual(watch.outside, [], 'requests to hosts other than 127.0.0.1');
  assert.deepEqual(watch.pageErrors, [], 'uncaught script errors in the pages');
  assert.deepEqual(watch.dialogs, [], 'native dialogs (alert/confirm/prompt) opened');
}
