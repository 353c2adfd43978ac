// A participant's lab: the story, their own evidence with its SHA-256, and each question with
// its state, the answer form, hints (unlocked after a confirmation that shows the cost) and the
// participant's own earlier answers.
'use strict';
(() => {
  const { t, local, el, api, number, time } = dflab;
  const labId = document.body.dataset.lab;
  const base = '/api/v1/labs/' + encodeURIComponent(labId);
  const questionsBox = document.getElementById('questions');
  const feedback = {};  // question id -> the last feedback shown
  let pendingHint = null;

  function stateText(q) {
    if (q.locked) return t('portal.state.locked');
    return t('portal.state.' + q.state);
  }
  function attemptsText(q) {
    if (q.attempts_left === null) return t('portal.question.attempts_unlimited', { used: q.attempts });
    return t('portal.question.attempts_left', { left: q.attempts_left, max: q.max_attempts });
  }
  function answerInput(q) {
    const disabled = q.locked || q.state === 'correct' || q.attempts_left === 0;
    if (q.type === 'choice') {
      const s = el('select', { class: 'answer-input', disabled },
        el('option', { value: '', text: t('portal.question.choose') }));
      for (const c of q.choices) s.append(el('option', { value: c.id, text: local(c.text) }));
      return s;
    }
    if (q.type === 'free_text' || q.type === 'set') {
      return el('textarea', { class: 'answer-input', rows: q.type === 'set' ? 5 : 6, disabled,
        placeholder: q.type === 'set' ? t('portal.question.set_placeholder') : '' });
    }
    return el('input', { class: 'answer-input', type: 'text', disabled, spellcheck: false, autocomplete: 'off' });
  }
  function valueOf(q, input) {
    if (q.type === 'set') return input.value.split('\n').map(s => s.trim()).filter(s => s.length);
    return input.value;
  }
  function renderQuestion(q, index) {
    const section = el('section', { class: 'question card' + (q.locked ? ' locked' : ''), 'data-id': q.id });
    section.append(el('h2', { text: (index + 1) + '. ' + local(q.title) },
      el('span', { class: 'qpoints', text: ' · ' + t('portal.question.points', { points: number(q.earned), max: number(q.points) }) })));
    section.append(el('div', { class: 'question-text', text: local(q.text) }));
    section.append(el('p', { class: 'meta' },
      el('span', { class: 'question-state state-' + (q.locked ? 'locked' : q.state), text: stateText(q) }), ' · ',
      el('span', { class: 'attempts-left', text: attemptsText(q) }),
      q.prerequisites.length ? el('span', { class: 'prerequisites', text: ' · ' + t('portal.question.after', { list: q.prerequisites.join(', ') }) }) : null));
    const input = answerInput(q);
    const button = el('button', { class: 'submit-answer', type: 'submit', text: t('portal.question.submit'), disabled: input.disabled });
    const form = el('form', { class: 'answer-form' }, input, button);
    const out = el('p', { class: 'feedback', 'aria-live': 'polite', text: feedback[q.id] || '' });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = valueOf(q, input);
      if ((Array.isArray(value) && !value.length) || (!Array.isArray(value) && !value.trim())) {
        out.textContent = t('portal.question.empty');
        return;
      }
      button.disabled = true;
      const r = await api('POST', base + '/questions/' + encodeURIComponent(q.id) + '/submissions', { value });
      if (r.ok) {
        feedback[q.id] = t('portal.verdict.' + r.data.verdict) + ' (' + number(r.data.points) + '/' + number(r.data.max_points) + '). ' + r.data.feedback;
      } else {
        feedback[q.id] = (r.data && r.data.message) || t('portal.error.network');
      }
      await load();
    });
    section.append(form, out);
    if (q.hints.length) {
      const hints = el('div', { class: 'hints' }, el('h3', { text: t('portal.hint.title') }));
      for (const h of q.hints) {
        if (h.unlocked) {
          hints.append(el('p', { class: 'hint-text', text: t('portal.hint.number', { number: h.number }) + ': ' + local(h.text) }));
        } else {
          const b = el('button', { class: 'unlock-hint secondary', type: 'button', 'data-number': h.number,
            text: t('portal.hint.unlock', { number: h.number, cost: number(h.cost) }),
            disabled: q.locked || q.state === 'correct' });
          b.addEventListener('click', () => askHint(q, h));
          hints.append(b);
          break;  // hints unlock in order
        }
      }
      section.append(hints);
    }
    if (q.submissions.length) {
      const list = el('ul', { class: 'history' });
      for (const s of q.submissions.slice().reverse()) {
        list.append(el('li', { text: time(s.time) + ' · ' + t('portal.verdict.' + s.verdict) + ' · ' + s.normalised }));
      }
      section.append(el('details', {}, el('summary', { text: t('portal.question.history', { count: q.submissions.length }) }), list));
    }
    return section;
  }
  function askHint(q, h) {
    pendingHint = { question: q.id };
    document.getElementById('hint-cost').textContent = t('portal.hint.confirm_cost', { number: h.number, cost: number(h.cost) });
    document.getElementById('hint-dialog').showModal();
  }
  document.getElementById('cancel-hint').addEventListener('click', () => {
    pendingHint = null;
    document.getElementById('hint-dialog').close();
  });
  document.getElementById('confirm-hint').addEventListener('click', async () => {
    const dialog = document.getElementById('hint-dialog');
    if (!pendingHint) { dialog.close(); return; }
    const q = pendingHint.question;
    pendingHint = null;
    const r = await api('POST', base + '/questions/' + encodeURIComponent(q) + '/hints', {});
    dialog.close();
    if (!r.ok) feedback[q] = (r.data && r.data.message) || t('portal.error.network');
    await load();
  });

  async function evidence() {
    const r = await api('GET', base + '/evidence');
    if (!r.ok) return;
    document.querySelector('#evidence ul').replaceChildren(...r.data.map(f => el('li', { class: 'evidence' },
      el('a', { class: 'evidence-link', href: f.url, download: f.file, text: f.file }),
      el('span', { class: 'size', text: ' · ' + t('portal.lab.size', { mib: (f.size / 1048576).toFixed(1) }) + ' · SHA-256 ' }),
      el('code', { class: 'sha256', text: f.sha256 }))));
  }
  async function load() {
    const r = await api('GET', base);
    if (!r.ok) return;
    const lab = r.data;
    document.getElementById('points').textContent = number(lab.points) + ' / ' + number(lab.max_points);
    document.getElementById('story').textContent = local(lab.description);
    document.getElementById('scoreboard-link').hidden = !lab.scoreboard;
    // Keep what the participant is typing when the page refreshes its state.
    const typed = {};
    for (const s of questionsBox.querySelectorAll('section.question')) {
      const input = s.querySelector('.answer-input');
      if (input && input.value && !input.disabled) typed[s.dataset.id] = input.value;
    }
    questionsBox.replaceChildren(...lab.questions.map(renderQuestion));
    for (const [id, value] of Object.entries(typed)) {
      const input = questionsBox.querySelector('section.question[data-id="' + CSS.escape(id) + '"] .answer-input');
      if (input && !input.disabled) input.value = value;
    }
  }
  evidence();
  load();
  // Reviews and hints may change the state: refresh now and then (the server answers 304 when
  // nothing changed).
  setInterval(() => { if (!document.getElementById('hint-dialog').open && !questionsBox.contains(document.activeElement)) load(); }, 15000);
})();
