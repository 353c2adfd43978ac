// The instructor in the browser: logs in with the password, watches submissions arrive live in
// table#latest (no reload), reviews a free-text answer, shows and freezes the scoreboard, posts an
// announcement. The participants act through the JSON API meanwhile. Oracles: the lab record read
// with the sqlite3 command line, the answer key, and the participants' own API view.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { participantSession } from './lib/api.mjs';
import {
  assertClean,
  eventually,
  guardedContext,
  launchBrowser,
  loginInstructor,
  loginParticipant,
  numberIn,
  revealPassword,
} from './lib/browser.mjs';
import { correctAnswer, makeLab, parseCsv, sqlite, startServer } from './lib/lab.mjs';

const people = [
  { id: 'p1', name: 'Айгерим Сапарова', team: 'Alpha' },
  { id: 'p2', name: 'Dana Smith', team: 'Beta' },
  { id: 'p3', name: 'Ержан Нұрланұлы', team: 'Alpha' },
];
let lab;
let server;
let browser;
let watch;
let page;
const sessions = new Map(); // participant id -> ApiSession
let labId;
let reviewed; // the submission id of the free-text answer

function keyQuestion(id) {
  return lab.pack.key.questions.find((q) => q.id === id);
}

async function submit(participant, question, value) {
  const s = sessions.get(participant);
  const reply = await s.post(`/api/v1/labs/${labId}/questions/${question}/submissions`, { value });
  assert.equal(reply.status, 200, `${participant} submits ${question}: ${reply.text}`);
  assert.equal(reply.json?.stored, true, `${participant} submits ${question}: stored (${reply.text.slice(0, 200)})`);
  return reply.json;
}

async function variantOf(participant) {
  return (await sessions.get(participant).get('/api/v1/labs')).json[0].variant;
}

function setting(name) {
  return sqlite(lab.db, `SELECT value FROM settings WHERE name = '${name}'`)[0]?.value;
}

before(async () => {
  lab = await makeLab(people);
  server = await startServer(lab);
  for (const p of people) sessions.set(p.id, await participantSession(server.base, lab.codes.get(p.id)));
  labId = (await sessions.get('p1').get('/api/v1/labs')).json[0].lab;
  browser = await launchBrowser();
  watch = await guardedContext(browser);
  page = await watch.context.newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  lab?.remove();
});

test('a wrong instructor password is refused', async () => {
  await page.goto(`${server.base}/login`);
  await revealPassword(page);
  await page.fill('input#password', server.password + 'x');
  await page.click('button#login');
  await page.locator('p#login-error').waitFor({ state: 'visible' });
  assert.match(page.url(), /\/login$/);
});

test('the instructor logs in and sees the lab, its questions and participants', async () => {
  await loginInstructor(page, server.base, server.password);
  // instructor.js fills the lab list after the page has loaded, from /api/labs.
  const labOptions = () => page.locator('select#lab-select option').evaluateAll((all) => all.map((o) => o.value));
  await eventually('select#lab-select lists the lab', async () => (await labOptions()).length > 0);
  assert.deepEqual(await labOptions(), [labId]);
  for (const p of people) {
    const row = page.locator(`table#participants tr[data-participant="${p.id}"]`);
    await row.waitFor();
    assert.ok((await row.innerText()).includes(p.name), `row of ${p.id} shows the name`);
  }
  for (const q of lab.pack.key.questions) {
    await page.locator(`table#solves tr[data-question="${q.id}"]`).waitFor();
    assert.equal(numberIn(await page.locator(`table#solves tr[data-question="${q.id}"] td.solves`).textContent()), 0);
  }
  await eventually('span#live-status says live', async () => /live/i.test(await page.locator('span#live-status').textContent()));
});

test('a submission appears in table#latest without a reload', async () => {
  await page.evaluate(() => {
    window.__dflabNoReload = 'still here';
  });
  const rows = page.locator('table#latest tr.submission');
  const before = await rows.count();
  const q = keyQuestion('case-number');
  const stored = await submit('p1', q.id, correctAnswer(q, await variantOf('p1')));
  await eventually('the new submission is in table#latest', async () => (await rows.count()) === before + 1);
  const text = await page.locator('table#latest').innerText();
  assert.ok(text.includes(people[0].name) || text.includes('p1'), 'the row names the participant');
  assert.ok(text.includes(q.id) || text.includes(lab.pack.pack.questions.find((x) => x.id === q.id).title.en), 'the row names the question');
  assert.equal(await page.evaluate(() => window.__dflabNoReload), 'still here', 'the page was not reloaded');
  assert.equal(sqlite(lab.db, `SELECT participant, question FROM submissions WHERE id = ${stored.submission}`)[0].participant, 'p1');

  // A second one, from another participant, also arrives.
  const free = keyQuestion('summary');
  assert.equal(free.type, 'free_text');
  const answer = 'The clerk copied клиенты.xlsx to the stick, renamed it holiday.jpg & sold it <b>on Nov 13</b>';
  reviewed = (await submit('p2', free.id, answer)).submission;
  await eventually('the free-text submission is in table#latest', async () => (await rows.count()) === before + 2);
  assert.equal(await page.evaluate(() => window.__dflabNoReload), 'still here', 'the page was not reloaded');
  assert.ok((await page.locator('table#latest').innerText()).includes(people[1].name) || (await page.locator('table#latest').innerText()).includes('p2'));
});

test('the free-text answer is reviewed and the review is stored', async () => {
  let review = page.locator(`section#reviews div.review[data-submission="${reviewed}"]`);
  if ((await review.count()) === 0) {
    await page.reload();
  }
  review = page.locator(`section#reviews div.review[data-submission="${reviewed}"]`);
  await review.waitFor();
  assert.ok((await review.innerText()).includes('<b>on Nov 13</b>'), 'the answer is shown as written, as text');
  const points = 9;
  const comment = 'Found the copy; the time is right — хорошо';
  await review.locator('input.review-points').fill(String(points));
  await review.locator('textarea.review-comment').fill(comment);
  await review.locator('button.save-review').click();
  await eventually('span.review-saved shows', async () => (await review.locator('span.review-saved').isVisible()) && (await review.locator('span.review-saved').textContent()).trim() !== '');
  const rows = sqlite(lab.db, `SELECT points, comment FROM reviews WHERE submission = ${reviewed}`);
  assert.deepEqual(rows, [{ points, comment }]);
  const state = (await sessions.get('p2').get(`/api/v1/labs/${labId}`)).json.questions.find((q) => q.id === 'summary');
  assert.equal(state.state, 'reviewed');
  assert.equal(state.earned, points);
});

test('the scoreboard is shown, then frozen: later points do not show on it', async () => {
  const p1 = sessions.get('p1');
  assert.equal((await p1.get(`/api/v1/labs/${labId}/scoreboard`)).status, 404, 'hidden at first');
  const visible = page.locator('input#scoreboard-visible');
  if (!(await visible.isChecked())) await visible.click();
  await eventually('the record says the scoreboard is visible', async () => setting('scoreboard_visible') === '1');
  const open = await p1.get(`/api/v1/labs/${labId}/scoreboard`);
  assert.equal(open.status, 200, open.text);
  assert.equal(open.json.frozen, null);
  const pointsOf = (board, name) => board.rows.find((r) => r.name === name)?.points;
  const p1Before = pointsOf(open.json, people[0].name);
  assert.equal(p1Before, keyQuestion('case-number').points);

  const stateBefore = (await page.locator('span#frozen-state').textContent()).trim();
  await page.click('button#freeze');
  await eventually('the record has a freeze time', async () => /^\d{4}-\d\d-\d\dT/.test(setting('scoreboard_frozen') ?? ''));
  await eventually('span#frozen-state changes', async () => (await page.locator('span#frozen-state').textContent()).trim() !== stateBefore);

  // Times have whole seconds: submit in a later second than the freeze.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const q = keyQuestion('block-size');
  await submit('p1', q.id, correctAnswer(q, await variantOf('p1')));
  const frozen = (await p1.get(`/api/v1/labs/${labId}/scoreboard`)).json;
  assert.equal(frozen.frozen, setting('scoreboard_frozen'));
  assert.equal(pointsOf(frozen, people[0].name), p1Before, 'the frozen scoreboard keeps the points at the freeze');
  const own = (await p1.get('/api/v1/labs')).json[0].points;
  assert.equal(own, p1Before + q.points, "the participant's own points go on");

  // The participant's scoreboard page says it is frozen.
  const other = await guardedContext(browser);
  const participantPage = await other.context.newPage();
  await loginParticipant(participantPage, server.base, lab.codes.get('p3'));
  await participantPage.goto(`${server.base}/labs/${labId}`);
  const link = participantPage.locator('a#scoreboard-link');
  await link.waitFor({ state: 'visible' });
  await Promise.all([participantPage.waitForURL(new RegExp(`/labs/${labId}/scoreboard$`)), link.click()]);
  await participantPage.locator('table#scoreboard tr.score-row').first().waitFor();
  await participantPage.locator('p#frozen-note').waitFor({ state: 'visible' });
  assert.equal(await participantPage.locator('table#scoreboard tr.score-row').count(), people.length);
  const boardText = await participantPage.locator('table#scoreboard').innerText();
  for (const p of people) assert.ok(boardText.includes(p.name), `${p.name} on the scoreboard`);
  assertClean(assert, other);
  await other.context.close();

  await page.click('button#unfreeze');
  await eventually('the record has no freeze time', async () => setting('scoreboard_frozen') === '');
  const thawed = (await p1.get(`/api/v1/labs/${labId}/scoreboard`)).json;
  assert.equal(thawed.frozen, null);
  assert.equal(pointsOf(thawed, people[0].name), p1Before + q.points);
});

test('an announcement reaches the participants', async () => {
  const text = 'Break until 11:00 — перерыв до 11:00';
  await page.fill('textarea#announcement-text', text);
  await page.click('button#announce');
  await eventually('the record has the announcement', async () => sqlite(lab.db, 'SELECT text FROM announcements').some((r) => r.text === text));
  const list = (await sessions.get('p3').get('/api/v1/announcements')).json;
  assert.equal(list[0].text, text);
  const other = await guardedContext(browser);
  const participantPage = await other.context.newPage();
  await loginParticipant(participantPage, server.base, lab.codes.get('p3'));
  await participantPage.locator('div#announcements li.announcement').first().waitFor();
  assert.ok((await participantPage.locator('div#announcements').innerText()).includes(text));
  assertClean(assert, other);
  await other.context.close();
});

test('the solves table and the exports agree with the lab record', async () => {
  await page.reload();
  const solved = sqlite(lab.db, "SELECT question, count(DISTINCT participant) AS n FROM submissions WHERE verdict = 'correct' GROUP BY question");
  for (const row of solved) {
    const cell = page.locator(`table#solves tr[data-question="${row.question}"] td.solves`);
    await cell.waitFor();
    assert.equal(numberIn(await cell.textContent()), row.n, `solves of ${row.question}`);
  }
  const csvHref = await page.locator('a#export-csv').evaluate((a) => a.href);
  const csv = await page.request.get(csvHref);
  assert.equal(csv.status(), 200);
  const records = parseCsv(await csv.text());
  const count = sqlite(lab.db, 'SELECT count(*) AS n FROM submissions')[0].n;
  assert.equal(records.length - 1, count, 'one CSV line per submission, after the header');
  const jsonHref = await page.locator('a#export-json').evaluate((a) => a.href);
  const json = await page.request.get(jsonHref);
  assert.equal(json.status(), 200);
  JSON.parse(await json.text());
  const report = await page.request.get(await page.locator('a#report').evaluate((a) => a.href));
  assert.equal(report.status(), 200);
  assert.match(report.headers()['content-type'], /text\/html/);
});

test('participants get 404 for the instructor pages', async () => {
  const reply = await sessions.get('p1').get(`/api/v1/instructor/labs/${labId}/dashboard`);
  assert.equal(reply.status, 404);
});

test('no request left 127.0.0.1, no script error, no native dialog', () => {
  assertClean(assert, watch);
});
