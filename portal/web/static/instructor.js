// The instructor's dashboard: solves per question, each participant's progress, the latest
// submissions and sharing flags, live over a server-sent event stream; reviews, scoreboard,
// announcements, a corrected key, exports.
'use strict';
(() => {
  const { t, local, el, api, number, time } = dflab;
  const select = document.getElementById('lab-select');
  const status = document.getElementById('live-status');
  let lab = null;
  const path = () => '/api/v1/instructor/labs/' + encodeURIComponent(lab);

  function rows(selector, items, make) {
    document.querySelector(selector + ' tbody').replaceChildren(...items.map(make));
  }
  function cell(text) { return el('td', { text: text === undefined || text === null ? '' : String(text) }); }

  async function dashboard() {
    const r = await api('GET', path() + '/dashboard');
    if (!r.ok) return;
    const d = r.data;
    rows('#solves', d.questions, q => el('tr', { 'data-question': q.id }, cell(local(q.title) || q.id),
      cell(number(q.points)), el('td', { class: 'solves', text: String(q.solves) + (q.partial ? ' (+' + q.partial + ')' : '') }), cell(q.attempts)));
    rows('#participants', d.participants, p => el('tr', { 'data-participant': p.id }, cell(p.id), cell(p.name), cell(p.team),
      cell(p.variant), cell(number(p.points) + ' / ' + number(p.max_points)), cell(p.solved), cell(p.submissions),
      el('td', { class: p.flags ? 'flagged' : '', text: String(p.flags) }), cell(time(p.last))));
    rows('#latest', d.latest, s => el('tr', { class: 'submission', 'data-submission': s.id }, cell(time(s.time)),
      cell(s.name + ' (' + s.participant + ')'), cell(s.question), cell(t('portal.verdict.' + s.verdict)),
      cell(number(s.points)), el('td', { class: 'answer' }, el('code', { text: s.answer }))));
    rows('#flags', d.flags, s => el('tr', {}, cell(time(s.time)), cell(s.name + ' (' + s.participant + ')'), cell(s.question),
      cell(s.other_variants.join(', '))));
    document.getElementById('pending-reviews').textContent = t('portal.instructor.pending', { count: d.pending_reviews });
  }

  async function reviews() {
    const r = await api('GET', path() + '/reviews');
    if (!r.ok) return;
    document.getElementById('review-list').replaceChildren(...r.data.map(item => {
      const points = el('input', { class: 'review-points', type: 'number', min: 0, max: item.max_points, step: 'any',
        value: item.review ? item.review.points : '' });
      const comment = el('textarea', { class: 'review-comment', rows: 2, value: item.review ? item.review.comment : '' });
      const saved = el('span', { class: 'review-saved', text: item.review ? t('portal.instructor.reviewed_by', { name: item.review.reviewer }) : '' });
      const save = el('button', { class: 'save-review', type: 'button', text: t('portal.instructor.save_review') });
      save.addEventListener('click', async () => {
        const res = await api('POST', path() + '/reviews', { submission: item.submission, points: Number(points.value), comment: comment.value });
        saved.textContent = res.ok ? t('portal.instructor.saved') : (res.data && res.data.message) || '';
      });
      return el('div', { class: 'review', 'data-submission': item.submission },
        el('p', { text: item.name + ' (' + item.participant + ') · ' + item.question + ' · ' + time(item.time) }),
        el('pre', { class: 'answer', text: item.answer }),
        el('p', { class: 'note', text: t('portal.instructor.rubric') + ': ' + local(item.rubric) }),
        el('label', { text: t('portal.instructor.points_of', { max: number(item.max_points) }) + ' ' }, points),
        comment, el('p', {}, save, ' ', saved));
    }));
  }

  async function labs() {
    const r = await api('GET', '/api/v1/instructor/labs');
    if (!r.ok) return [];
    return r.data;
  }
  async function settings() {
    const all = await labs();
    const me = all.find(l => l.lab === lab);
    if (!me) return;
    document.getElementById('scoreboard-visible').checked = me.scoreboard.visible;
    document.getElementById('frozen-state').textContent = me.scoreboard.frozen
      ? t('portal.instructor.frozen_at', { time: time(me.scoreboard.frozen) }) : t('portal.instructor.not_frozen');
  }
  async function scoreboard(change) {
    const r = await api('POST', path() + '/scoreboard', change);
    if (r.ok) await settings();
  }
  document.getElementById('scoreboard-visible').addEventListener('change', e => scoreboard({ visible: e.target.checked }));
  document.getElementById('freeze').addEventListener('click', () => scoreboard({ frozen: true }));
  document.getElementById('unfreeze').addEventListener('click', () => scoreboard({ frozen: false }));
  document.getElementById('announce').addEventListener('click', async () => {
    const text = document.getElementById('announcement-text');
    const r = await api('POST', path() + '/announcements', { text: text.value });
    document.getElementById('announce-result').textContent = r.ok ? t('portal.instructor.announced') : (r.data && r.data.message) || '';
    if (r.ok) text.value = '';
  });
  document.getElementById('upload-key').addEventListener('click', async () => {
    const file = document.getElementById('key-file').files[0];
    const out = document.getElementById('regrade-result');
    if (!file) { out.textContent = t('portal.instructor.choose_key'); return; }
    const r = await api('POST', path() + '/key', await file.text(), true);
    out.textContent = r.ok ? t('portal.instructor.regraded', { submissions: r.data.submissions, changed: r.data.points_changed })
      + '\n' + r.data.verdict_changes.map(v => v.participant + ' ' + v.question + ': ' + v.old_verdict + ' → ' + v.new_verdict).join('\n')
      : (r.data && r.data.message) || '';
  });

  function links() {
    document.getElementById('export-csv').href = path() + '/export?format=csv&table=submissions';
    document.getElementById('export-totals').href = path() + '/export?format=csv&table=totals';
    document.getElementById('export-json').href = path() + '/export?format=json';
    document.getElementById('report').href = path() + '/report';
  }
  let timer = null;
  function refreshSoon() {
    clearTimeout(timer);
    timer = setTimeout(() => { dashboard(); reviews(); }, 300);
  }
  function live() {
    const events = new EventSource('/api/v1/instructor/events');
    events.onopen = () => { status.textContent = t('portal.instructor.live'); status.dataset.state = 'live'; status.className = 'status live'; };
    events.onerror = () => { status.textContent = t('portal.instructor.reconnecting'); status.dataset.state = 'offline'; status.className = 'status offline'; };
    events.addEventListener('change', e => {
      try { if (JSON.parse(e.data).lab === lab) refreshSoon(); } catch (err) { /* not ours */ }
    });
  }
  (async () => {
    const all = await labs();
    select.replaceChildren(...all.map(l => el('option', { value: l.lab, text: local(l.title) || l.lab })));
    lab = all.length ? all[0].lab : null;
    select.addEventListener('change', () => { lab = select.value; links(); dashboard(); reviews(); settings(); });
    if (!lab) return;
    links();
    await Promise.all([dashboard(), reviews(), settings()]);
    live();
  })();
})();
