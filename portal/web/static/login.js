'use strict';
(() => {
  const { t, api } = dflab;
  const form = document.getElementById('login-form');
  const mode = document.getElementById('instructor-mode');
  const error = document.getElementById('login-error');
  mode.addEventListener('change', () => {
    document.getElementById('password-row').hidden = !mode.checked;
    document.getElementById('code-row').hidden = mode.checked;
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const payload = mode.checked ? { password: document.getElementById('password').value }
                                 : { code: document.getElementById('code').value };
    const r = await api('POST', '/api/v1/login', payload);
    if (r.ok) {
      location.assign(r.data.role === 'instructor' ? '/instructor' : '/labs');
      return;
    }
    error.textContent = (r.data && r.data.message) || t('portal.error.bad_credentials');
    error.hidden = false;
  });
})();
