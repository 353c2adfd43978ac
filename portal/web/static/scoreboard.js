'use strict';
(() => {
  const { t, el, api, number, time } = dflab;
  const lab = document.body.dataset.lab;
  async function load() {
    const r = await api('GET', '/api/v1/labs/' + encodeURIComponent(lab) + '/scoreboard');
    if (!r.ok) return;
    const note = document.getElementById('frozen-note');
    note.hidden = !r.data.frozen;
    note.textContent = r.data.frozen ? t('portal.scoreboard.frozen', { time: time(r.data.frozen) }) : '';
    document.querySelector('#scoreboard tbody').replaceChildren(...r.data.rows.map(row =>
      el('tr', { class: 'score-row' }, el('td', { text: row.rank }), el('td', { text: row.name }),
         el('td', { text: row.team }), el('td', { text: number(row.points) }), el('td', { text: row.solved }))));
  }
  load();
  setInterval(load, 15000);
})();
