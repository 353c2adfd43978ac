// Screenshots of the main pages (login, labs, lab, scoreboard, instructor) in English, Russian and
// Kazakh, into tests/browser/out/ (in CI they are the test output). Each page must be in the
// language asked for (<html lang>) and show its content before it is taken.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { instructorSession, participantSession } from './lib/api.mjs';
import {
  assertClean,
  guardedContext,
  launchBrowser,
  loginInstructor,
  loginParticipant,
  pageLanguage,
  screenshot,
  switchLanguage,
} from './lib/browser.mjs';
import { correctAnswer, makeLab, startServer } from './lib/lab.mjs';

const people = [
  { id: 'p1', name: 'Айгерим Сапарова', team: 'Alpha' },
  { id: 'p2', name: 'Dana Smith', team: 'Beta' },
  { id: 'p3', name: 'Ержан Нұрланұлы', team: 'Alpha' },
];
let lab;
let server;
let browser;
let labId;

before(async () => {
  lab = await makeLab(people);
  server = await startServer(lab);
  browser = await launchBrowser();
  // Some activity, so that the pages have something to show.
  for (const [i, p] of people.entries()) {
    const s = await participantSession(server.base, lab.codes.get(p.id));
    const labs = (await s.get('/api/v1/labs')).json;
    labId = labs[0].lab;
    for (const q of lab.pack.key.questions.filter((x) => x.type !== 'free_text').slice(0, i + 1)) {
      await s.post(`/api/v1/labs/${labId}/questions/${q.id}/submissions`, { value: correctAnswer(q, labs[0].variant) });
    }
    await s.post(`/api/v1/labs/${labId}/questions/summary/submissions`, { value: `Summary by ${p.name}` });
  }
  const instructor = await instructorSession(server.base, server.password);
  await instructor.post(`/api/v1/instructor/labs/${labId}/scoreboard`, { visible: true, frozen: false });
  await instructor.post(`/api/v1/instructor/labs/${labId}/announcements`, { text: 'Welcome — добро пожаловать — қош келдіңіздер' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  lab?.remove();
});

async function shoot(page, name, language, ready) {
  await switchLanguage(page, language);
  await page.locator(ready).first().waitFor();
  assert.equal(await pageLanguage(page), language, `${name} in ${language}`);
  const file = await screenshot(page, `${name}-${language}`);
  assert.ok(statSync(file).size > 5000, `${file} holds a picture`);
}

for (const language of ['en', 'ru', 'kk']) {
  test(`screenshots in ${language}`, async () => {
    const watch = await guardedContext(browser);
    const page = await watch.context.newPage();
    await page.goto(`${server.base}/login`);
    await shoot(page, 'login', language, 'input#code');

    await loginParticipant(page, server.base, lab.codes.get('p2'));
    await shoot(page, 'labs', language, 'a.lab-link');
    await page.goto(`${server.base}/labs/${labId}`);
    await shoot(page, 'lab', language, 'section.question');
    await page.goto(`${server.base}/labs/${labId}/scoreboard`);
    await shoot(page, 'scoreboard', language, 'table#scoreboard tr.score-row');

    const instructorWatch = await guardedContext(browser);
    const instructorPage = await instructorWatch.context.newPage();
    await loginInstructor(instructorPage, server.base, server.password);
    await shoot(instructorPage, 'instructor', language, 'table#participants tr[data-participant]');
    assertClean(assert, watch);
    assertClean(assert, instructorWatch);
    await watch.context.close();
    await instructorWatch.context.close();
  });
}
