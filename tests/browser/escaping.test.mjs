// Every string a participant (or an instructor) typed is shown as text: a participant named
// `<img src=x onerror=alert(1)>` with answers and a team made of markup shows as those characters
// on every page, no dialog opens and no element is made from them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { instructorSession, participantSession } from './lib/api.mjs';
import { assertClean, guardedContext, launchBrowser, loginInstructor, loginParticipant } from './lib/browser.mjs';
import { makeCodeSheet, makeLab, startServer } from './lib/lab.mjs';

const evilName = '<img src=x onerror=alert(1)>';
const evilTeam = '"><svg onload=alert(2)>';
const evilAnswer = '<img src=x onerror=alert(3)><script>alert(4)</script>';
const evilCase = "'><iframe src=javascript:alert(5)>";
const evilAnnouncement = '<b onmouseover=alert(6)>bold?</b><img src=x onerror=alert(7)>';
const people = [
  { id: 'x1', name: evilName, team: evilTeam },
  { id: 'x2', name: 'Ordinary Name', team: '' },
];
let lab;
let server;
let browser;
let watch;
let labId;

// Elements that only injected markup would make on the portal's pages.
async function injected(page) {
  return page.evaluate(() => {
    const found = [];
    for (const e of document.querySelectorAll('img[src="x"], iframe')) found.push(e.outerHTML);
    for (const e of document.querySelectorAll('*')) {
      for (const a of e.getAttributeNames()) {
        if (/^on/i.test(a) && /alert/.test(e.getAttribute(a))) found.push(`${e.tagName} ${a}`);
      }
    }
    for (const s of document.querySelectorAll('script')) if (/alert/.test(s.textContent)) found.push(s.outerHTML);
    return found;
  });
}

// Lets any onerror/onload that was injected run before the dialogs are counted.
function settle(page) {
  return page.waitForTimeout(500);
}

before(async () => {
  lab = await makeLab(people);
  server = await startServer(lab);
  browser = await launchBrowser();
  watch = await guardedContext(browser);
  const x1 = await participantSession(server.base, lab.codes.get('x1'));
  labId = (await x1.get('/api/v1/labs')).json[0].lab;
  for (const [question, value] of [
    ['summary', evilAnswer],
    ['case-number', evilCase],
  ]) {
    const reply = await x1.post(`/api/v1/labs/${labId}/questions/${question}/submissions`, { value });
    assert.equal(reply.status, 200, reply.text);
  }
  const instructor = await instructorSession(server.base, server.password);
  const shown = await instructor.post(`/api/v1/instructor/labs/${labId}/scoreboard`, { visible: true, frozen: false });
  assert.equal(shown.status, 200, shown.text);
  const posted = await instructor.post(`/api/v1/instructor/labs/${labId}/announcements`, { text: evilAnnouncement });
  assert.equal(posted.status, 200, posted.text);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  lab?.remove();
});

test("the participant's own pages show the markup as text", async () => {
  const page = await watch.context.newPage();
  await loginParticipant(page, server.base, lab.codes.get('x1'));
  await page.locator('a.lab-link').first().waitFor();
  await settle(page);
  assert.deepEqual(await injected(page), [], '/labs');

  await page.goto(`${server.base}/labs/${labId}`);
  await page.locator('section.question[data-id="summary"]').waitFor();
  await settle(page);
  assert.deepEqual(await injected(page), [], `/labs/${labId}`);

  await page.goto(`${server.base}/labs/${labId}/scoreboard`);
  await page.locator('table#scoreboard tr.score-row').first().waitFor();
  const board = await page.locator('table#scoreboard').innerText();
  assert.ok(board.includes(evilName), 'the name on the scoreboard, as typed');
  await settle(page);
  assert.deepEqual(await injected(page), [], 'scoreboard');
  await page.close();
});

test('an announcement made of markup shows as text', async () => {
  const page = await watch.context.newPage();
  await loginParticipant(page, server.base, lab.codes.get('x2'));
  await page.locator('div#announcements li.announcement').first().waitFor();
  assert.ok((await page.locator('div#announcements').innerText()).includes(evilAnnouncement), 'the announcement as typed');
  await settle(page);
  assert.deepEqual(await injected(page), [], '/labs with the announcement');
  await page.close();
});

test('the instructor pages show the markup as text', async () => {
  const page = await watch.context.newPage();
  await loginInstructor(page, server.base, server.password);
  const row = page.locator('table#participants tr[data-participant="x1"]');
  await row.waitFor();
  const rowText = await row.innerText();
  assert.ok(rowText.includes(evilName), 'the name in table#participants, as typed');
  assert.ok(rowText.includes(evilTeam), 'the team in table#participants, as typed');
  await page.locator('table#latest tr.submission').first().waitFor();
  const latest = await page.locator('table#latest').innerText();
  assert.ok(latest.includes(evilName), 'the name in table#latest, as typed');
  const review = page.locator('section#reviews div.review').first();
  await review.waitFor();
  assert.ok((await page.locator('section#reviews').innerText()).includes(evilAnswer), 'the free-text answer, as typed');
  await settle(page);
  assert.deepEqual(await injected(page), [], '/instructor');
  await page.close();
});

test('the code sheet escapes the names too', async () => {
  const html = await makeCodeSheet(people);
  assert.ok(!html.includes(evilName), 'the raw name is not in the sheet');
  const page = await watch.context.newPage();
  await page.setContent(html);
  await settle(page);
  assert.ok((await page.locator('body').innerText()).includes(evilName), 'the sheet shows the name as text');
  assert.deepEqual(await injected(page), [], 'codes.html');
  await page.close();
});

test('no dialog opened, no request left 127.0.0.1, no script error', () => {
  assertClean(assert, watch);
});
