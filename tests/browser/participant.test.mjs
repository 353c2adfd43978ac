// A participant in the browser: logs in with an access code, reads the lab in English, Russian and
// Kazakh, answers (wrong, then right per the instructor's answer key for the participant's own
// variant), unlocks a hint through the confirmation dialog, downloads the evidence and checks its
// SHA-256. Oracles: the built pack (pack.json, SHA256SUMS, answer-key.json), the lab record read
// with the sqlite3 command line, and the JSON API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { participantSession } from './lib/api.mjs';
import {
  assertClean,
  eventually,
  guardedContext,
  launchBrowser,
  loginParticipant,
  numberIn,
  pageLanguage,
  sha256File,
  switchLanguage,
} from './lib/browser.mjs';
import { correctAnswer, makeLab, sqlite, startServer } from './lib/lab.mjs';

const people = [
  { id: 'p1', name: 'Айгерим Сапарова', team: 'Alpha' },
  { id: 'p2', name: 'Dana Smith', team: 'Beta' },
];
let lab;
let server;
let browser;
let watch;
let page;
let api; // the same participant through the JSON API: the state the page should show
let labId;
let variant;

const kazakhLetters = /[әғқңөұүһі]/i;
const cyrillic = /[а-яё]/i;

function keyQuestion(id) {
  const q = lab.pack.key.questions.find((x) => x.id === id);
  assert.ok(q, `the answer key has question ${id}`);
  return q;
}

async function apiQuestion(id) {
  const reply = await api.get(`/api/v1/labs/${labId}`);
  assert.equal(reply.status, 200, reply.text);
  return reply.json.questions.find((q) => q.id === id);
}

async function shownPoints() {
  return numberIn(await page.locator('span#points').textContent());
}

function squeeze(text) {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

// The lab page in English (a test that failed half-way may have left another language).
async function openLab() {
  await page.goto(`${server.base}/labs/${labId}`);
  await section(lab.pack.pack.questions[0].id).waitFor();
  await switchLanguage(page, 'en');
  await section(lab.pack.pack.questions[0].id).waitFor();
}

function section(id) {
  return page.locator(`section.question[data-id="${id}"]`);
}

async function submitInPage(id, value) {
  const s = section(id);
  const before = await s.locator('p.feedback').textContent().catch(() => '');
  const input = s.locator('.answer-input');
  const tag = await input.evaluate((e) => e.tagName.toLowerCase());
  if (tag === 'select') await input.selectOption(value);
  else await input.fill(value);
  const [reply] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/questions/${id}/submissions`) && r.request().method() === 'POST'),
    s.locator('button.submit-answer').click(),
  ]);
  await eventually(`feedback shown for ${id}`, async () => {
    const text = (await s.locator('p.feedback').textContent())?.trim();
    return text && text !== before?.trim() && (await s.locator('p.feedback').isVisible());
  });
  return reply;
}

before(async () => {
  lab = await makeLab(people);
  server = await startServer(lab);
  browser = await launchBrowser();
  watch = await guardedContext(browser);
  page = await watch.context.newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  lab?.remove();
});

test('a wrong access code is refused on the login page', async () => {
  await page.goto(`${server.base}/login`);
  await page.fill('input#code', 'ZZZZ-ZZZZZ-ZZZZZ');
  await page.click('button#login');
  await page.locator('p#login-error').waitFor({ state: 'visible' });
  assert.notEqual((await page.locator('p#login-error').textContent()).trim(), '');
  assert.match(page.url(), /\/login$/);
});

test('a participant logs in with the printed access code and sees their lab', async () => {
  const code = lab.codes.get('p2');
  await loginParticipant(page, server.base, code);
  api = await participantSession(server.base, code);
  const labs = (await api.get('/api/v1/labs')).json;
  assert.equal(labs.length, 1);
  labId = labs[0].lab;
  variant = labs[0].variant;
  assert.equal(labId, lab.pack.pack.id);
  assert.equal(sqlite(lab.db, "SELECT variant FROM participants WHERE id = 'p2'")[0].variant, variant);
  const link = page.locator('a.lab-link');
  await link.first().waitFor();
  assert.equal(await link.count(), 1);
  assert.equal(new URL(await link.evaluate((a) => a.href)).pathname, `/labs/${labId}`);
  assert.equal(numberIn(await page.locator('span.lab-points').textContent()), 0);
});

test('the pages switch to Russian and to Kazakh and back to English', async () => {
  const texts = async () => ({
    h1: (await page.locator('h1').first().textContent()).trim(),
    logout: (await page.locator('button#logout').textContent()).trim(),
    body: await page.locator('body').innerText(),
  });
  await page.goto(`${server.base}/labs`);
  await page.locator('a.lab-link').first().waitFor();
  assert.equal(await pageLanguage(page), 'en');
  const en = await texts();

  await switchLanguage(page, 'ru');
  await page.locator('a.lab-link').first().waitFor();
  const ru = await texts();
  assert.notEqual(ru.h1, en.h1, 'the h1 of /labs in Russian differs from English');
  assert.notEqual(ru.logout, en.logout, 'the logout button in Russian differs from English');
  assert.match(ru.h1 + ru.logout, cyrillic);

  await switchLanguage(page, 'kk');
  await page.locator('a.lab-link').first().waitFor();
  const kk = await texts();
  assert.notEqual(kk.h1, en.h1, 'the h1 of /labs in Kazakh differs from English');
  assert.notEqual(kk.body, ru.body, 'the Kazakh page differs from the Russian one');
  assert.match(kk.body, kazakhLetters, 'the Kazakh page has letters only Kazakh uses');

  // The language stays with the session: the lab page opens in Kazakh, its title from the pack.
  await page.goto(`${server.base}/labs/${labId}`);
  await section(lab.pack.pack.questions[0].id).waitFor();
  assert.equal(await pageLanguage(page), 'kk');
  assert.equal((await page.locator('h1').first().textContent()).trim(), lab.pack.pack.title.kk);

  await switchLanguage(page, 'ru');
  await section(lab.pack.pack.questions[0].id).waitFor();
  assert.equal((await page.locator('h1').first().textContent()).trim(), lab.pack.pack.title.ru);
  assert.equal(squeeze(await page.locator('div#story').innerText()), squeeze(lab.pack.pack.description.ru));
  const firstTitle = lab.pack.pack.questions[0].title.ru;
  const h2 = await section(lab.pack.pack.questions[0].id).locator('h2').textContent();
  assert.ok(h2.includes(firstTitle), `the first question's h2 "${h2}" holds its Russian title`);

  await switchLanguage(page, 'en');
  await section(lab.pack.pack.questions[0].id).waitFor();
  assert.equal((await page.locator('h1').first().textContent()).trim(), lab.pack.pack.title.en);
  assert.equal(squeeze(await page.locator('div#story').innerText()), squeeze(lab.pack.pack.description.en));
});

test('the lab page lists every question of the pack in order', async () => {
  await openLab();
  const ids = await page.locator('section.question').evaluateAll((all) => all.map((s) => s.dataset.id));
  assert.deepEqual(ids, lab.pack.pack.questions.map((q) => q.id));
  for (const q of lab.pack.pack.questions) {
    const h2 = await section(q.id).locator('h2').textContent();
    assert.ok(h2.includes(q.title.en), `the h2 of ${q.id} "${h2}" holds its title`);
    assert.equal(squeeze(await section(q.id).locator('div.question-text').innerText()), squeeze(q.text.en), `text of ${q.id}`);
    const locked = q.prerequisites.length > 0;
    assert.equal(await section(q.id).evaluate((s) => s.classList.contains('locked')), locked, `${q.id} locked`);
    if (locked) {
      assert.equal(await section(q.id).locator('button.submit-answer:enabled').count(), 0, `${q.id}: no enabled submit button`);
    }
  }
  assert.equal(numberIn(await page.locator('span#points').textContent()), 0);
  assert.equal(await page.locator('a#scoreboard-link:visible').count(), 0, 'no scoreboard link shown while it is hidden');
});

test('a wrong answer shows feedback, the right one from the answer key turns the question correct', async () => {
  const id = 'block-size';
  const q = keyQuestion(id);
  await openLab();
  const stateBefore = (await section(id).locator('span.question-state').textContent()).trim();
  const wrong = await submitInPage(id, String(Number(correctAnswer(q, variant)) * 4 + 512));
  assert.equal(wrong.status(), 200);
  assert.equal((await apiQuestion(id)).state, 'incorrect');
  const stateWrong = (await section(id).locator('span.question-state').textContent()).trim();
  assert.notEqual(stateWrong, stateBefore, 'the state text changes after a wrong answer');

  const right = await submitInPage(id, correctAnswer(q, variant));
  assert.equal(right.status(), 200);
  const state = await apiQuestion(id);
  assert.equal(state.state, 'correct');
  const expected = Math.max(0, q.points - q.wrong_attempt_penalty * 1);
  assert.equal(state.earned, expected);
  const stateRight = (await section(id).locator('span.question-state').textContent()).trim();
  assert.notEqual(stateRight, stateWrong, 'the state text changes after the right answer');
  await eventually('span#points shows the points earned', async () => (await shownPoints()) === expected);

  const rows = sqlite(lab.db, `SELECT verdict, value FROM submissions WHERE participant = 'p2' AND question = '${id}' ORDER BY id`);
  assert.deepEqual(
    rows.map((r) => r.verdict),
    ['incorrect', 'correct'],
  );
});

test('a hint is unlocked through the confirmation dialog and lowers the points of its question', async () => {
  const id = 'image-hash';
  const q = keyQuestion(id);
  assert.ok(q.hints.length > 0);
  const cost = q.hints[0].cost;
  await openLab();
  const s = section(id);
  const button = s.locator('button.unlock-hint[data-number="1"]');
  assert.equal(numberIn(await button.textContent()), cost, 'the hint button shows its cost');

  // Cancel first: nothing is unlocked.
  await button.click();
  await page.locator('dialog#hint-dialog').waitFor({ state: 'visible' });
  assert.equal(numberIn(await page.locator('p#hint-cost').textContent()), cost);
  await page.click('button#cancel-hint');
  await page.locator('dialog#hint-dialog').waitFor({ state: 'hidden' });
  assert.equal(await s.locator('p.hint-text').count(), 0);
  assert.equal((await apiQuestion(id)).hints[0].unlocked, false);
  assert.equal(sqlite(lab.db, `SELECT count(*) AS n FROM hints WHERE participant = 'p2'`)[0].n, 0);

  await button.click();
  await page.locator('dialog#hint-dialog').waitFor({ state: 'visible' });
  await page.click('button#confirm-hint');
  await s.locator('p.hint-text').first().waitFor({ state: 'visible' });
  const hint = await s.locator('p.hint-text').first().innerText();
  assert.ok(squeeze(hint).includes(squeeze(q.hints[0].text.en)), `p.hint-text "${hint}" holds the key's hint text`);
  const stored = sqlite(lab.db, `SELECT number, cost FROM hints WHERE participant = 'p2' AND question = '${id}'`);
  assert.deepEqual(stored, [{ number: 1, cost }]);

  const pointsBefore = await shownPoints();
  await submitInPage(id, correctAnswer(q, variant));
  const state = await apiQuestion(id);
  assert.equal(state.state, 'correct');
  assert.equal(state.earned, q.points - cost, 'the hint cost is taken off the question');
  await eventually('span#points grows by the points less the hint', async () => (await shownPoints()) === pointsBefore + q.points - cost);
});

test('the evidence downloads and its SHA-256 equals the one shown', async () => {
  const files = lab.pack.pack.images.filter((i) => i.variant === variant).flatMap((i) => i.files);
  assert.ok(files.length > 0);
  const sums = new Map(
    readFileSync(path.join(lab.pack.participant, 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [sum, ...name] = line.split(/\s+/);
        return [name.join(' ').replace(/^\*/, ''), sum];
      }),
  );
  await openLab();
  const items = page.locator('div#evidence li.evidence');
  await items.first().waitFor();
  assert.equal(await items.count(), files.length, "one li.evidence per file of the participant's variant");
  for (let i = 0; i < files.length; ++i) {
    const item = items.nth(i);
    const shown = (await item.locator('code.sha256').textContent()).trim().toLowerCase();
    const name = path.basename(files[i]);
    assert.equal(shown, sums.get(files[i]), `the SHA-256 shown for ${name} is the bundle's`);
    const [download] = await Promise.all([page.waitForEvent('download'), item.locator('a.evidence-link').click()]);
    assert.equal(download.suggestedFilename(), name);
    const saved = path.join(lab.dir, `download-${name}`);
    await download.saveAs(saved);
    assert.equal(await sha256File(saved), shown, `SHA-256 of the downloaded ${name}`);
  }
});

test('logging out ends the session', async () => {
  await Promise.all([page.waitForURL(/\/login$/), page.click('button#logout')]);
  const me = await page.request.get(`${server.base}/api/v1/me`);
  assert.equal(me.status(), 401);
  await page.goto(`${server.base}/labs`);
  assert.match(page.url(), /\/login$/, '/labs sends a logged-out browser to /login');
});

test('no request left 127.0.0.1, no script error, no native dialog', () => {
  assertClean(assert, watch);
});
