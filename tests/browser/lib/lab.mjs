// A lab for the portal tests: the intro pack built once per test run (build_pack.sh), a lab
// record with participants and access codes made with the dflab command line, and `dflab serve`
// on 127.0.0.1 with an ephemeral port, stopped after the test file.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = path.resolve(here, '../../..');
export const outDir = path.resolve(here, '../out');
const run = promisify(execFile);

// The dflab binary under test: DFLAB_BINARY (run.sh sets it from CTest), else the shared build.
export function dflabBinary() {
  const binary = process.env.DFLAB_BINARY || path.join(sourceDir, 'build/tools/dflab');
  if (!existsSync(binary)) throw new Error(`${binary}: no dflab binary (set DFLAB_BINARY)`);
  return binary;
}

// The built intro pack: {dir, participant, instructor, key, pack}. Built once and cached.
let packCache = null;
export function builtPack() {
  if (packCache) return packCache;
  const script = path.join(sourceDir, 'tests/browser/build_pack.sh');
  const dir = execFileSync('bash', [script, dflabBinary()], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  })
    .trim()
    .split('\n')
    .pop();
  const participant = path.join(dir, 'participant');
  const instructor = path.join(dir, 'instructor');
  packCache = {
    dir,
    participant,
    instructor,
    key: JSON.parse(readFileSync(path.join(instructor, 'answer-key.json'), 'utf8')),
    pack: JSON.parse(readFileSync(path.join(participant, 'pack.json'), 'utf8')),
  };
  return packCache;
}

// RFC 4180 CSV (quoted fields with "" and line breaks inside quotes) into rows of strings.
export function parseCsv(text) {
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
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') ++i;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

function csvField(text) {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// The answer that the key says is right for `variant`, as a participant would type it.
export function correctAnswer(question, variant) {
  const answer = question.answers[String(variant)];
  switch (question.type) {
    case 'hash': {
      const algorithm = question.options?.algorithm;
      return algorithm && algorithm !== 'any' ? answer[algorithm] : answer.sha256 ?? Object.values(answer)[0];
    }
    case 'set':
      return answer.map(String).join('\n');
    default:
      return String(answer);
  }
}

// Creates a lab record in a new temporary folder with `people` ({id, name, team}) and their
// access codes. Returns {dir, db, codes: Map id -> code, pack}.
export async function makeLab(people, { packOverride } = {}) {
  const pack = packOverride ?? builtPack();
  const dflab = dflabBinary();
  const dir = mkdtempSync(path.join(tmpdir(), 'dflab-portal-test-'));
  const db = path.join(dir, 'lab.sqlite');
  await run(dflab, ['lab', 'init', '--key', pack.instructor, '--db', db]);
  const csv = ['id,name,team', ...people.map((p) => [p.id, p.name, p.team ?? ''].map(csvField).join(','))];
  writeFileSync(path.join(dir, 'people.csv'), csv.join('\n') + '\n');
  await run(dflab, ['lab', 'participants', 'import', path.join(dir, 'people.csv'), '--db', db]);
  // Without -o the codes come as CSV on standard output (id,name,code), shown that once.
  const { stdout } = await run(dflab, ['lab', 'participants', 'codes', '--db', db], { maxBuffer: 16 << 20 });
  const rows = parseCsv(stdout);
  let idColumn = 0;
  let codeColumn = 2;
  if (rows.length && rows[0].includes('code')) {
    idColumn = rows[0].indexOf('id');
    codeColumn = rows[0].indexOf('code');
    rows.shift();
  }
  const codes = new Map(rows.map((r) => [r[idColumn], r[codeColumn]]));
  for (const p of people) {
    if (!codes.get(p.id)) throw new Error(`dflab lab participants codes printed no code for ${p.id}: ${stdout.slice(0, 300)}`);
  }
  // remove(): deletes the folder after the test file, unless DFLAB_KEEP_TEST_DIRS=1.
  const remove = () => {
    if (process.env.DFLAB_KEEP_TEST_DIRS !== '1') rmSync(dir, { recursive: true, force: true });
  };
  return { dir, db, codes, pack, remove };
}

// The printable sheet of code slips (`participants codes -o`) for `people`, made on a lab record
// of its own (new codes replace earlier ones). Returns the HTML text.
export async function makeCodeSheet(people) {
  const lab = await makeLab(people);
  const sheet = path.join(lab.dir, 'codes.html');
  await run(dflabBinary(), ['lab', 'participants', 'codes', '--db', lab.db, '-o', sheet]);
  const html = readFileSync(sheet, 'utf8');
  lab.remove();
  return html;
}

// Runs the sqlite3 command line on the lab record (an oracle independent of dflab): rows as arrays.
export function sqlite(db, sql) {
  const out = execFileSync('sqlite3', ['-json', db, sql], { encoding: 'utf8' }).trim();
  return out ? JSON.parse(out) : [];
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Starts `dflab serve` for `lab` on 127.0.0.1, port 0. Returns {base, port, password, stop()}.
export async function startServer(lab, { extraArgs = [], bundle } = {}) {
  const password = 'instructor-' + randomBytes(6).toString('hex');
  const passwordFile = path.join(lab.dir, 'instructor-password');
  writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
  const portFile = path.join(lab.dir, `port-${Date.now()}`);
  const logFile = path.join(lab.dir, 'serve.log');
  const args = [
    'serve',
    '--lab',
    lab.db,
    '--bundle',
    bundle ?? lab.pack.participant,
    '--listen',
    '127.0.0.1:0',
    '--port-file',
    portFile,
    '--instructor-password-file',
    passwordFile,
    '--access-log',
    path.join(lab.dir, 'access.log'),
    ...extraArgs,
  ];
  // LeakSanitizer's report at exit is not what these tests check (the server is stopped with a
  // signal): DFLAB_PORTAL_LEAKS=1 keeps it on.
  const env = { ...process.env };
  if (process.env.DFLAB_PORTAL_LEAKS !== '1') {
    env.ASAN_OPTIONS = [process.env.ASAN_OPTIONS, 'detect_leaks=0'].filter(Boolean).join(':');
  }
  const child = spawn(dflabBinary(), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  const exit = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      writeFileSync(logFile, output);
      resolve(exited);
    }),
  );
  const deadline = Date.now() + 60_000;
  let port = 0;
  while (!port) {
    if (exited) throw new Error(`dflab serve exited (${JSON.stringify(exited)}) before listening: ${output.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dflab serve wrote no port file within 60 s: ${output.slice(-2000)}`);
    }
    if (existsSync(portFile)) port = Number(readFileSync(portFile, 'utf8').trim());
    if (!port) await sleep(50);
  }
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    password,
    pid: child.pid,
    output: () => output,
    // Stops the server (SIGTERM, then SIGKILL after 10 s). Throws when it had died on its own or
    // a sanitizer reported an error.
    async stop() {
      if (exited) throw new Error(`dflab serve had exited by itself (${JSON.stringify(exited)}): ${output.slice(-3000)}`);
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const result = await exit;
      clearTimeout(killer);
      if (/ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:/.test(output)) {
        throw new Error(`dflab serve: a sanitizer reported an error: ${output.slice(-6000)}`);
      }
      if (result.signal === 'SIGKILL') throw new Error('dflab serve did not stop within 10 s of SIGTERM');
      return result;
    },
  };
}
