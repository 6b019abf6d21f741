// The login page: a browser session (HttpOnly cookie + CSRF token), never a token in storage.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorSummary, field, h, readForm, showErrors } from '../ui.js';

/** The login form; `onLoggedIn(session)` runs after the session is opened. */
export function render({ languageSwitch, onLoggedIn }) {
  const summary = errorSummary();
  const form = h('form', { class: 'login-form', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, t('app.title')),
    h('p', { class: 'muted' }, t('login.intro')),
    summary,
    field({ name: 'login', label: 'login.login', required: true, autocomplete: 'username' }),
    field({ name: 'password', label: 'login.password', type: 'password', required: true, autocomplete: 'current-password' }),
    h('button', { type: 'submit', class: 'primary' }, t('login.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      const session = await api('POST', '/api/v1/auth/session', readForm(form), { quiet: true });
      await onLoggedIn(session);
    } catch (err) {
      showErrors(form, err);
    } finally {
      btn.disabled = false;
    }
  });
  return h('div', { class: 'login-page' }, h('div', { class: 'login-lang' }, languageSwitch()), form);
}
