// The pages' one way to the server: fetch() on the JSON API (docs/api.md) with the session
// cookie the browser keeps (HttpOnly: no script sees it) and, on every request that changes
// anything, the CSRF token the sign-in answer gave this tab.
const CSRF_KEY = 'lockbox.csrf_token';

// A refused or failed request: `status` is the HTTP status (0 when the server could not be
// reached) and `message` the API's own words, written for the person at the keyboard.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const csrf = sessionStorage.getItem(CSRF_KEY);
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'unreachable',
                       'The server cannot be reached: check your network connection and try again.');
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data?.error;
    throw new ApiError(response.status, error?.code ?? 'failed',
                       error?.message ?? `The server answered ${response.status}: try again.`);
  }
  return data;
}

// `path` with `params` as its query (empty values left out), for api('GET', ...).
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== '' && value !== null && value !== undefined) query.set(name, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

// The address of a GET route, for a link the browser follows itself: a CSV download
// (?format=csv), which the session cookie authorises.
export function apiUrl(path, params = {}) {
  return `/api/v1${withQuery(path, params)}`;
}

// Keeps the CSRF token of a sign-in (or password change) answer for this tab.
export function rememberSession(answer) {
  sessionStorage.setItem(CSRF_KEY, answer.csrf_token);
}

export function forgetSession() {
  sessionStorage.removeItem(CSRF_KEY);
}

// Whether this tab can make changes: it signed in itself (the token is not shared across tabs).
export function hasCsrfToken() {
  return sessionStorage.getItem(CSRF_KEY) !== null;
}
