// Load of a workshop room on `dflab serve` (loopback only, bounded in time): N participants log
// in, poll their lab's JSON every 5 s (with the ETag, as the pages do) and now and then the HTML
// page, submit answers and unlock hints; D of them download a large evidence file at once, each
// at a bounded rate (curl --limit-rate). The server's memory is read from /proc/PID/status.
// Prints one JSON object with the measurements on stdout.
//
// node scripts/bench/portal_load.mjs --base http://127.0.0.1:PORT --codes codes.csv --key
//   answer-key.json --pid PID [--duration 60] [--downloaders 50] [--download-file NAME]
//   [--download-rate 2M] [--poll 5]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    base: { type: 'string' },
    codes: { type: 'string' },
    key: { type: 'string' },
    pid: { type: 'string' },
    duration: { type: 'string', default: '60' },
    downloaders: { type: 'string', default: '50' },
    'download-file': { type: 'string', default: '' },
    'download-rate': { type: 'string', default: '2M' },
    poll: { type: 'string', default: '5' },
  },
});
const base = new URL(opt.base);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) throw new Error('loopback only: ' + opt.base);
const duration = Number(opt.duration) * 1000;
const pollEvery = Number(opt.poll) * 1000;
const key = JSON.parse(readFileSync(opt.key, 'utf8'));

// codes.csv: id,name,code (a header line; names may be quoted).
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        ++i;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows.filter((r) => r.length > 1);
}
const rows = parseCsv(readFileSync(opt.codes, 'utf8'));
const header = rows[0].includes('code') ? rows.shift() : ['id', 'name', 'code'];
const people = rows.map((r) => ({ id: r[header.indexOf('id')], code: r[header.indexOf('code')] }));

const stats = { login: [], submit: [], hint: [], pageJson: [], pageHtml: [], failed: 0, failures: {}, notModified: 0 };
function failed(what) {
  stats.failed += 1;
  stats.failures[what] = (stats.failures[what] ?? 0) + 1;
}

// One request on the participant's own keep-alive agent (a browser keeps its connections).
function request(user, method, path, body, headers = {}) {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const h = { ...headers };
    if (user.cookie) h.cookie = user.cookie;
    if (method === 'POST' && user.csrf) h['x-csrf-token'] = user.csrf;
    if (payload) {
      h['content-type'] = 'application/json';
      h['content-length'] = Buffer.byteLength(payload);
    }
    const started = process.hrtime.bigint();
    const req = http.request({ host: base.hostname, port: base.port, method, path, headers: h, agent: user.agent }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        for (const c of res.headers['set-cookie'] ?? []) {
          if (c.startsWith('dflab_session=')) user.cookie = c.split(';')[0];
        }
        resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms });
      });
      res.on('error', () => resolve({ status: 0, ms: 0, text: '' }));
    });
    req.on('error', (e) => resolve({ status: 0, ms: 0, text: String(e) }));
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    if (payload) req.write(payload);
    req.end();
  });
}

function percentile(list, p) {
  if (!list.length) return null;
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
function summary(list) {
  return { n: list.length, p50: percentile(list, 50), p99: percentile(list, 99), max: list.length ? Math.max(...list) : null };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The answer the key says is right for the variant, as typed.
function rightAnswer(q, variant) {
  const a = q.answers[String(variant)];
  if (q.type === 'hash') return q.options?.algorithm && q.options.algorithm !== 'any' ? a[q.options.algorithm] : a.sha256;
  if (q.type === 'set') return a;
  if (q.type === 'free_text') return 'The clerk copied the client list and sold it.';
  return String(a);
}

// Server memory: VmRSS now and VmHWM (peak), in KiB.
function memory() {
  try {
    const status = readFileSync(`/proc/${opt.pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

async function login(user) {
  const r = await request(user, 'POST', '/api/v1/login', { code: user.code });
  if (r.status !== 200) {
    failed(`login ${r.status}`);
    return false;
  }
  stats.login.push(r.ms);
  user.csrf = JSON.parse(r.text).csrf;
  const labs = await request(user, 'GET', '/api/v1/labs');
  if (labs.status !== 200) {
    failed(`labs ${labs.status}`);
    return false;
  }
  const first = JSON.parse(labs.text)[0];
  user.lab = first.lab;
  user.variant = first.variant;
  return true;
}

async function poll(user) {
  const headers = user.etag ? { 'if-none-match': user.etag } : {};
  const r = await request(user, 'GET', `/api/v1/labs/${user.lab}`, undefined, headers);
  if (r.status === 200 || r.status === 304) {
    stats.pageJson.push(r.ms);
    if (r.status === 304) stats.notModified += 1;
    if (r.headers.etag) user.etag = r.headers.etag;
  } else failed(`GET lab json ${r.status}`);
  if (user.polls++ % 3 === 0) {
    const page = await request(user, 'GET', `/labs/${user.lab}`);
    if (page.status === 200) stats.pageHtml.push(page.ms);
    else failed(`GET lab page ${page.status}`);
  }
}

// Submits to the next question in turn: a wrong answer first, the right one after it.
async function submit(user) {
  const questions = key.questions.filter((q) => !q.prerequisites.length && !user.solved.has(q.id));
  if (!questions.length) return;
  const q = questions[user.turn++ % questions.length];
  const wrong = !user.tried.has(q.id) && q.type !== 'free_text';
  const value = wrong ? (q.type === 'hash' ? '0'.repeat(64) : '999999') : rightAnswer(q, user.variant);
  const r = await request(user, 'POST', `/api/v1/labs/${user.lab}/questions/${q.id}/submissions`, { value });
  if (r.status === 200) {
    stats.submit.push(r.ms);
    user.tried.add(q.id);
    if (!wrong) user.solved.add(q.id);
  } else failed(`submit ${r.status}`);
}

async function hint(user) {
  const q = key.questions.find((x) => x.hints.length && !user.solved.has(x.id) && !user.hinted.has(x.id));
  if (!q) return;
  const r = await request(user, 'POST', `/api/v1/labs/${user.lab}/questions/${q.id}/hints`, {});
  user.hinted.add(q.id);
  if (r.status === 200) stats.hint.push(r.ms);
  else failed(`hint ${r.status}`);
}

async function participant(user, until) {
  await sleep(Math.random() * pollEvery);
  let nextSubmit = Date.now() + 5000 + Math.random() * 15000;
  let hinted = false;
  while (Date.now() < until) {
    await poll(user);
    if (Date.now() >= nextSubmit) {
      await submit(user);
      nextSubmit = Date.now() + 10000 + Math.random() * 20000;
      if (!hinted && Math.random() < 0.5) {
        await hint(user);
        hinted = true;
      }
    }
    await sleep(pollEvery);
  }
}

function download(user, url, seconds) {
  return new Promise((resolve) => {
    const args = ['-s', '-o', '/dev/null', '--limit-rate', opt['download-rate'], '--max-time', String(seconds), '-H', `Cookie: ${user.cookie}`, '-w', '%{http_code} %{size_download}', base.origin + url];
    const curl = spawn('curl', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    curl.stdout.on('data', (d) => (out += d));
    curl.on('exit', (code) => {
      const [status, bytes] = out.trim().split(' ').map(Number);
      // 28: --max-time reached while the file was still coming, as planned.
      const ok = status === 200 && (code === 0 || code === 28) && bytes > 0;
      if (!ok) failed(`download ${status} curl ${code}`);
      resolve({ ok, status, bytes, code });
    });
  });
}

async function main() {
  const users = people.map((p) => ({ ...p, agent: new http.Agent({ keepAlive: true, maxSockets: 2 }), polls: 0, turn: 0, tried: new Set(), solved: new Set(), hinted: new Set() }));
  const memBefore = memory();
  // Logging in: the room arrives over a few seconds, 25 at a time.
  const loginStart = Date.now();
  for (let i = 0; i < users.length; i += 25) await Promise.all(users.slice(i, i + 25).map(login));
  const loginSeconds = (Date.now() - loginStart) / 1000;
  const memAfterLogin = memory();

  const start = Date.now();
  const until = start + duration;
  const room = users.map((u) => participant(u, until));

  // The downloads: D participants at once, from 5 s in until 5 s before the end.
  const downloads = [];
  let downloadPeakRss = 0;
  let downloadBytes = 0;
  const downloadSeconds = Math.max(5, Math.round(duration / 1000 - 10));
  const dl = Number(opt.downloaders);
  let evidenceName = '';
  if (dl > 0) {
    await sleep(5000);
    const chosen = users.filter((u) => u.lab).slice(0, dl);
    for (const u of chosen) {
      const list = await request(u, 'GET', `/api/v1/labs/${u.lab}/evidence`);
      const files = list.status === 200 ? JSON.parse(list.text) : [];
      const file = files.find((f) => !opt['download-file'] || f.file === opt['download-file']) ?? files[0];
      if (!file) {
        failed(`evidence list ${list.status}`);
        continue;
      }
      evidenceName = `${file.file} (${file.size} bytes)`;
      downloads.push(download(u, file.url, downloadSeconds));
    }
    const sampler = setInterval(() => {
      downloadPeakRss = Math.max(downloadPeakRss, memory().rss);
    }, 200);
    const results = await Promise.all(downloads);
    clearInterval(sampler);
    downloadBytes = results.reduce((s, r) => s + (r.bytes || 0), 0);
  }
  await Promise.all(room);
  const memEnd = memory();
  for (const u of users) u.agent.destroy();

  const ms = (s) => ({ n: s.n, p50_ms: s.p50 && +s.p50.toFixed(2), p99_ms: s.p99 && +s.p99.toFixed(2), max_ms: s.max && +s.max.toFixed(2) });
  console.log(
    JSON.stringify({
      participants: users.length,
      logged_in: users.filter((u) => u.lab).length,
      login_seconds: loginSeconds,
      login: ms(summary(stats.login)),
      submission: ms(summary(stats.submit)),
      hint: ms(summary(stats.hint)),
      lab_json: ms(summary(stats.pageJson)),
      lab_json_not_modified: stats.notModified,
      lab_html: ms(summary(stats.pageHtml)),
      page_p99_ms: +(percentile([...stats.pageJson, ...stats.pageHtml], 99) ?? 0).toFixed(2),
      failed_requests: stats.failed,
      failures: stats.failures,
      downloads: downloads.length,
      download_file: evidenceName,
      download_seconds: downloadSeconds,
      download_mib: +(downloadBytes / 1048576).toFixed(1),
      rss_kib: { before: memBefore.rss, after_login: memAfterLogin.rss, peak_during_downloads: downloadPeakRss, end: memEnd.rss, hwm: memEnd.hwm },
    }),
  );
}

main();
