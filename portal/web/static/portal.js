// dflab portal: what every page shares. Texts come from the server's message catalogues
// (body[data-messages]); every value from the server is put into the page as text, never as HTML.
'use strict';
const dflab = (() => {
  const body = document.body;
  const messages = JSON.parse(body.dataset.messages || '{}');
  const lang = document.documentElement.lang || 'en';
  const csrf = body.dataset.csrf || '';

  function t(key, values) {
    let s = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    for (const [k, v] of Object.entries(values || {})) s = s.split('{' + k + '}').join(String(v));
    return s;
  }
  // A pack's text in the page's language ({"en": ..., "ru": ...}), else English, else any.
  function local(texts) {
    if (!texts || typeof texts !== 'object') return texts == null ? '' : String(texts);
    return texts[lang] ?? texts.en ?? Object.values(texts)[0] ?? '';
  }
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('data-') || k === 'href' || k === 'for' || k === 'download' || k === 'type') e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  async function api(method, path, payload, raw) {
    const options = { method, headers: {}, credentials: 'same-origin' };
    if (method !== 'GET') options.headers['X-CSRF-Token'] = csrf;
    if (payload !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = raw ? payload : JSON.stringify(payload);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (e) {
      return { ok: false, status: 0, data: { message: t('portal.error.network') } };
    }
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
    if (response.status === 401 && body.dataset.page !== 'login') location.assign('/login');
    return { ok: response.ok, status: response.status, data };
  }
  function number(n) {
    return Number.isInteger(n) ? String(n) : (Math.round(n * 100) / 100).toString();
  }
  function time(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(lang === 'kk' ? 'kk-KZ' : lang === 'ru' ? 'ru-RU' : 'en-GB');
  }

  const select = document.getElementById('language');
  if (select) {
    select.addEventListener('change', async () => {
      document.cookie = 'dflab_lang=' + select.value + '; path=/; SameSite=Strict; max-age=31536000';
      if (csrf) await api('POST', '/api/v1/language', { language: select.value });
      location.reload();
    });
  }
  const logout = document.getElementById('logout');
  if (logout) {
    logout.addEventListener('click', async () => {
      await api('POST', '/api/v1/logout');
      location.assign('/login');
    });
  }
  // Announcements for participants, polled (ETags keep unchanged answers small).
  const board = document.getElementById('announcements');
  async function announcements() {
    const r = await api('GET', '/api/v1/announcements');
    if (!r.ok || !Array.isArray(r.data)) return;
    board.replaceChildren(el('ul', {}, ...r.data.slice(0, 3).map(a =>
      el('li', { class: 'announcement' }, el('strong', { text: time(a.time) + ' ' }), a.text))));
  }
  if (board && csrf && body.dataset.page !== 'instructor') {
    announcements();
    setInterval(announcements, 20000);
  }
  return { t, local, el, api, number, time, lang };
})();
