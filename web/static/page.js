// What every portal page shares: the organisation's name and helpdesk contact, the signed-in
// user in the banner, signing out, and messages.
import { api, ApiError, forgetSession, hasCsrfToken } from './api.js';

// The page of each role that has one; the other roles use the API (docs/api.md) for now.
const PAGES = {
  admin: '/helpdesk',
  'advanced-helpdesk': '/helpdesk',
  helpdesk: '/helpdesk',
  'self-service': '/self-service',
  'report-reader': '/reports',
};

// The pages a role may open, linked in each page's #pages navigation.
const LINKS = [
  ['/helpdesk', 'Drive recovery', ['admin', 'advanced-helpdesk', 'helpdesk']],
  ['/computers', 'Computers', ['admin', 'advanced-helpdesk', 'report-reader']],
  ['/reports', 'Reports', ['admin', 'report-reader']],
  ['/admin', 'Administration', ['admin']],
];

export function pageForRole(role) {
  return PAGES[role] ?? null;
}

// GET /api/v1/portal, shown in every [data-company] and [data-helpdesk] element.
export async function loadSettings() {
  let settings = { company_name: null, helpdesk_contact: null,
                   self_service_idle_timeout_seconds: 600 };
  try {
    settings = await api('GET', '/portal');
  } catch {
    // The defaults say "your organisation" and "your helpdesk": still correct.
  }
  for (const element of document.querySelectorAll('[data-company]')) {
    element.textContent = settings.company_name ?? 'Lockbox';
  }
  for (const element of document.querySelectorAll('[data-helpdesk]')) {
    element.textContent = helpdeskAdvice(settings);
  }
  if (settings.company_name) document.title = `${document.title} · ${settings.company_name}`;
  return settings;
}

// What to do when the page cannot help: "call the helpdesk at ...".
export function helpdeskAdvice(settings) {
  return settings.helpdesk_contact
    ? `If you need help, call the helpdesk at ${settings.helpdesk_contact}.`
    : 'If you need help, call your helpdesk.';
}

// `text` as a sentence: the API's messages start lower-case and end without a full stop.
function sentence(text) {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

// Shows `parts` as sentences in the page's alert region; none, or only empty ones, clear it.
export function showMessage(...parts) {
  const region = document.getElementById('message');
  region.textContent = parts.map(sentence).filter(Boolean).join(' ');
}

// The signed-in session when its role is one of `roles`; otherwise goes to the page that fits
// (the sign-in page when there is no usable session) and returns null.
export async function requireSession(roles) {
  let session = null;
  try {
    session = await api('GET', '/session');
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) {
      showMessage(error.message);
      return null;
    }
  }
  if (!session || session.must_change_password || !hasCsrfToken()) {
    location.replace('/');
    return null;
  }
  if (!roles.includes(session.role)) {
    location.replace(pageForRole(session.role) ?? '/');
    return null;
  }
  document.getElementById('who').textContent = `Signed in as ${session.name}`;
  const nav = document.getElementById('pages');
  for (const [href, text, allowed] of nav ? LINKS : []) {
    if (!allowed.includes(session.role) || href === location.pathname) continue;
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    nav.append(a);
  }
  document.getElementById('sign-out').addEventListener('click', () => signOut('/'));
  return session;
}

// Ends the session on the server (whatever happens, this tab forgets it) and goes to `next`,
// or stays when `next` is null.
export async function signOut(next) {
  try {
    await api('DELETE', '/session');
  } catch {
    // An ended session is what we want anyway.
  }
  forgetSession();
  if (next !== null) location.assign(next);
}
