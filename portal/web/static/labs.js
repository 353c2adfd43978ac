'use strict';
(async () => {
  const { t, local, el, api, number } = dflab;
  const list = document.getElementById('labs');
  const r = await api('GET', '/api/v1/labs');
  if (!r.ok) return;
  if (r.data.length === 1 && !sessionStorage.getItem('dflab-stay')) {
    sessionStorage.setItem('dflab-stay', '1');
  }
  list.replaceChildren(...r.data.map(lab => el('li', { class: 'card' },
    el('a', { class: 'lab-link', href: '/labs/' + encodeURIComponent(lab.lab), text: local(lab.title) || lab.lab }),
    el('span', { class: 'lab-points', text: t('portal.labs.progress', {
      points: number(lab.points), max: number(lab.max_points), solved: lab.solved, questions: lab.questions }) }))));
})();
