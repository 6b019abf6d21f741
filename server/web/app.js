// The shell: who is logged in, the sidebar of the account's modules, the language switch, and
// a hash router (#/products) that loads each page's module when first opened.
import { api, setCsrf, whenUnauthorized } from './api.js';
import { LANGUAGES, lang, setLang, t } from './i18n.js';
import { closeDrawer, h, mount } from './ui.js';

/** The enterprise modules of the seed, in its order. */
const ENTERPRISE_MENU = [
  ['profile', 'menu.profile'],
  ['products', 'menu.products'],
  ['barcodes', 'menu.barcodes'],
  ['unit-codes', 'menu.unit_codes'],
  ['documents', 'menu.documents'],
  ['suppliers', 'menu.suppliers'],
  ['customers', 'menu.customers'],
  ['reconciliation', 'menu.reconciliation'],
  ['nonconforming', 'menu.nonconforming'],
  ['recalls', 'menu.recalls'],
  ['stock', 'menu.stock'],
  ['inspections', 'menu.my_inspections'],
];

/** The regulator's pages. */
const REGULATOR_MENU = [
  ['dashboard', 'menu.dashboard'],
  ['enterprises', 'menu.enterprises'],
  ['trace', 'menu.trace'],
  ['unit-signals', 'menu.unit_signals'],
  ['reg-recalls', 'menu.reg_recalls'],
  ['reg-nonconforming', 'menu.reg_nonconforming'],
  ['warnings', 'menu.warnings'],
  ['reg-inspections', 'menu.inspections'],
];

/** Route → page module and its options. */
const PAGES = {
  profile: ['profile'],
  products: ['products'],
  barcodes: ['barcodes'],
  documents: ['documents'],
  suppliers: ['partners', { role: 'suppliers' }],
  customers: ['partners', { role: 'customers' }],
  reconciliation: ['reconciliation'],
  nonconforming: ['nonconforming'],
  recalls: ['recalls'],
  stock: ['stock'],
  'unit-codes': ['unit-codes'],
  inspections: ['inspections'],
  dashboard: ['reg-dashboard'],
  enterprises: ['reg-enterprises'],
  trace: ['reg-trace'],
  'unit-signals': ['reg-unit-signals'],
  'reg-recalls': ['reg-recalls'],
  'reg-nonconforming': ['reg-nonconforming'],
  warnings: ['reg-warnings'],
  'reg-inspections': ['reg-inspections'],
};

const app = document.getElementById('app');
let me = null;

function menuOf(account) {
  return account.role === 'regulator' ? REGULATOR_MENU : ENTERPRISE_MENU;
}

/** The route and its parameters from the hash: `#/trace?batch=B1` → ['trace', {batch: 'B1'}]. */
function route() {
  const [path, q] = location.hash.replace(/^#\/?/, '').split('?');
  return [path, Object.fromEntries(new URLSearchParams(q || ''))];
}

/** Goes to a page. */
export function navigate(path, params) {
  const q = params ? `?${new URLSearchParams(params)}` : '';
  location.hash = `#/${path}${q}`;
}

function languageSwitch() {
  const id = 'lang-switch';
  const select = h('select', { id, onchange: (e) => { setLang(e.target.value); render(); } },
    LANGUAGES.map(([code, name]) => h('option', { value: code, selected: code === lang() }, name)));
  return h('div', { class: 'lang' }, h('label', { for: id }, t('common.language')), select);
}

async function logout() {
  try {
    await api('DELETE', '/api/v1/auth/session', undefined, { quiet: true });
  } catch { /* already gone */ }
  me = null;
  setCsrf(null);
  document.getElementById('toasts').replaceChildren();
  if (location.hash === '#/login') render();
  else location.hash = '#/login';
}

function shell(content, current) {
  const menu = menuOf(me.account);
  const nav = h('nav', { class: 'sidebar', 'aria-label': t('menu.label') },
    h('div', { class: 'brand' }, t('app.title')),
    h('ul', {}, menu.map(([path, key]) => h('li', {},
      h('a', {
        href: `#/${path}`,
        class: path === current ? 'active' : '',
        'aria-current': path === current ? 'page' : undefined,
        // The same page's link changes no hash, so the phone menu is folded here too.
        onclick: () => document.body.classList.remove('menu-open'),
      }, t(key))))));
  const who = me.enterprise ? me.enterprise.name : `${me.account.display_name} · ${t('role.regulator')} ${me.account.region_code || ''}`;
  const top = h('header', { class: 'topbar' },
    h('button', { type: 'button', class: 'icon menu-toggle', 'aria-label': t('menu.toggle'), onclick: () => document.body.classList.toggle('menu-open') }, '☰'),
    h('span', { class: 'who' }, who),
    languageSwitch(),
    h('button', { type: 'button', onclick: logout }, t('common.logout')));
  return h('div', { class: 'layout' }, nav, h('div', { class: 'main' }, top, h('main', { id: 'content' }, content)));
}

async function loadMe() {
  try {
    me = await api('GET', '/api/v1/me', undefined, { quiet: true });
  } catch {
    me = null;
  }
}

/** Renders the page of the current hash. */
let renders = 0;

export async function render() {
  // A newer render (another hash change while this one waits) wins; this one stops.
  const mine = ++renders;
  closeDrawer();
  document.body.classList.remove('menu-open');
  document.title = `${t('app.title')} · Suyuan`;
  const [path, params] = route();
  if (!me) await loadMe();
  if (mine !== renders) return;
  if (!me || path === 'login') {
    if (me && path === 'login') return navigate(menuOf(me.account)[0][0]);
    // Already showing the login form (a hash change while logged out): keep what was typed.
    if (app.querySelector('.login-page')) return;
    const login = await import('./pages/login.js');
    mount(app, login.render({ languageSwitch, onLoggedIn }));
    return;
  }
  const allowed = menuOf(me.account).map(([p]) => p);
  if (!allowed.includes(path)) return navigate(allowed[0]);
  const [module, options] = PAGES[path];
  const content = h('div', { class: 'page' });
  mount(app, shell(content, path));
  const page = await import(`./pages/${module}.js`);
  if (mine !== renders) return;
  await page.render(content, { me, params, navigate, options: options || {} });
}

async function onLoggedIn(session) {
  setCsrf(session.csrf_token);
  await loadMe();
  const target = route()[0];
  const allowed = menuOf(me.account).map(([p]) => p);
  if (allowed.includes(target)) render();
  else navigate(allowed[0]);
}

whenUnauthorized(() => {
  if (me) {
    me = null;
    location.hash = '#/login';
  }
});
window.addEventListener('hashchange', render);
render();
