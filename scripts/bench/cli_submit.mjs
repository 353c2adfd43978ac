// What instructors have without the portal: one `dflab lab submit` process per submission on the
// lab record. Runs one submission per participant (the questions in turn, right answers from the
// key), N processes at a time, and prints the per-submission wall times as JSON.
//
// node scripts/bench/cli_submit.mjs --dflab DFLAB --db LAB.sqlite --key answer-key.json
//   [--concurrency 8]
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    dflab: { type: 'string' },
    db: { type: 'string' },
    key: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
  },
});
const key = JSON.parse(readFileSync(opt.key, 'utf8'));
const people = JSON.parse(execFileSync(opt.dflab, ['lab', 'participants', 'list', '--json', '--db', opt.db], { encoding: 'utf8', maxBuffer: 64 << 20 }));
const questions = key.questions.filter((q) => !q.prerequisites.length && q.type !== 'free_text' && q.type !== 'set');

function rightAnswer(q, variant) {
  const a = q.answers[String(variant)];
  if (q.type === 'hash') return q.options?.algorithm && q.options.algorithm !== 'any' ? a[q.options.algorithm] : a.sha256;
  return String(a);
}

function once(args) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(opt.dflab, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, err: err.trim().split('\n').pop() }));
  });
}

const jobs = people.map((p, i) => {
  const q = questions[i % questions.length];
  return ['lab', 'submit', '--db', opt.db, p.id, q.id, rightAnswer(q, p.variant ?? 0)];
});
const times = [];
const failures = {};
let next = 0;
const started = Date.now();
async function lane() {
  while (next < jobs.length) {
    const r = await once(jobs[next++]);
    if (r.code === 0) times.push(r.ms);
    else failures[r.err] = (failures[r.err] ?? 0) + 1;
  }
}
await Promise.all(Array.from({ length: Math.max(1, Number(opt.concurrency)) }, lane));
times.sort((a, b) => a - b);
const pick = (p) => (times.length ? +times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)].toFixed(2) : null);
console.log(
  JSON.stringify({
    submissions: jobs.length,
    concurrency: Number(opt.concurrency),
    ok: times.length,
    failed: jobs.length - times.length,
    failures,
    p50_ms: pick(50),
    p99_ms: pick(99),
    max_ms: times.length ? +times[times.length - 1].toFixed(2) : null,
    seconds: (Date.now() - started) / 1000,
  }),
);
