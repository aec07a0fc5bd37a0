// The administration page (admins): accounts and roles, API tokens and enrollment tokens (each
// secret shown once), and the runtime settings (reason lists, the self-service notice, company
// name and helpdesk contact, the report interval and the TPM auto-reset window).
import { api } from './api.js';
import { loadSettings, requireSession, showMessage } from './page.js';
import { formatTime, renderTable } from './table.js';

const ROLES = ['helpdesk', 'advanced-helpdesk', 'report-reader', 'self-service', 'admin',
               'data-migration'];
const byId = (id) => document.getElementById(id);

// What went well, in the status region; failures go to the alert region (showMessage).
function done(text) {
  showMessage();
  byId('done').textContent = text;
}

// Runs `action`, then `text` as done, or the API's words as the failure.
async function perform(action, text) {
  byId('done').textContent = '';
  try {
    await action();
    done(text);
  } catch (error) {
    showMessage(error.message);
  }
}

// A secret token, shown once with a copy button.
function showSecret(title, token) {
  byId('secret-title').textContent = title;
  byId('secret-text').textContent = token;
  byId('secret').hidden = false;
  byId('secret-title').focus();
}

function hideSecret() {
  byId('secret-text').textContent = '';
  byId('secret').hidden = true;
}

function state(user) {
  if (user.disabled) return 'disabled';
  if (user.locked_until && new Date(user.locked_until) > new Date()) return 'locked';
  if (user.must_change_password) return 'must change password';
  return 'active';
}

function fillSelect(select, values) {
  const chosen = select.value;
  select.replaceChildren(...values.map((v) => new Option(v, v)));
  if (values.includes(chosen)) select.value = chosen;
}

function revokeButton(label, action) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.textContent = 'Revoke';
  button.setAttribute('aria-label', label);
  button.addEventListener('click', action);
  return button;
}

async function loadUsers() {
  const { users } = await api('GET', '/users');
  renderTable(byId('users-table'), `${users.length} account(s)`, [
    { label: 'Name', value: (u) => u.name },
    { label: 'Display name', value: (u) => u.display_name },
    { label: 'Role', value: (u) => u.role },
    { label: 'Kind', value: (u) => (u.service_account ? 'service account' : 'person') },
    { label: 'State', value: state },
    { label: 'Last sign-in', value: (u) => formatTime(u.last_login) || 'never' },
  ], users, 'No account yet.');
  const names = users.map((u) => u.name);
  fillSelect(byId('manage-user'), names);
  fillSelect(byId('api-token-user'), names);
}

async function loadApiTokens() {
  const { api_tokens: tokens } = await api('GET', '/api-tokens');
  renderTable(byId('api-tokens-table'), 'API tokens (never their text)', [
    { label: 'Account', value: (t) => t.user },
    { label: 'Role', value: (t) => t.role },
    { label: 'Description', value: (t) => t.description },
    { label: 'Expires', value: (t) => formatTime(t.expires_at) },
    { label: 'Last used', value: (t) => formatTime(t.last_used) || 'never' },
    { label: 'State', value: (t) => (t.revoked_at ? `revoked ${formatTime(t.revoked_at)}`
      : revokeButton(`Revoke the API token of ${t.user} (${t.description || t.id})`,
                     () => perform(async () => {
                       await api('DELETE', `/api-tokens/${encodeURIComponent(t.id)}`);
                       await loadApiTokens();
                     }, 'The API token is revoked.'))) },
  ], tokens, 'No API token yet.');
}

async function loadEnrollmentTokens() {
  const { enrollment_tokens: tokens } = await api('GET', '/enrollment-tokens');
  renderTable(byId('enrollment-table'), 'Enrollment tokens (never their text)', [
    { label: 'Description', value: (t) => t.description },
    { label: 'Used', value: (t) => `${t.uses} of ${t.max_uses}` },
    { label: 'Expires', value: (t) => formatTime(t.expires_at) },
    { label: 'Created by', value: (t) => t.created_by },
    { label: 'State', value: (t) => (t.revoked_at ? `revoked ${formatTime(t.revoked_at)}`
      : revokeButton(`Revoke enrollment token ${t.description}`,
                     () => perform(async () => {
                       await api('DELETE', `/enrollment-tokens/${encodeURIComponent(t.id)}`);
                       await loadEnrollmentTokens();
                     }, 'The enrollment token is revoked.'))) },
  ], tokens, 'No enrollment token yet.');
}

const lines = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);

function showSettings(s) {
  byId('drive-reasons').value = s.drive_unlock_reasons.join('\n');
  byId('tpm-reasons').value = s.tpm_reasons.join('\n');
  byId('notice').value = s.self_service_notice;
  byId('company-name').value = s.company_name;
  byId('helpdesk-contact').value = s.helpdesk_contact;
  byId('report-interval').value = s.report_interval_minutes;
  byId('tpm-window').value = s.agent_tpm_unlock_window_minutes;
}

function wireForms() {
  const service = byId('user-service');
  service.addEventListener('change', () => { byId('user-password-field').hidden = service.checked; });
  byId('user-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { name: byId('user-name').value.trim(), role: byId('user-role').value,
                   display_name: byId('user-display').value.trim() };
    if (service.checked) body.service_account = true;
    else body.initial_password = byId('user-password').value;
    perform(async () => {
      await api('POST', '/users', body);
      byId('user-form').reset();
      await loadUsers();
    }, `The account ${body.name} is created.`);
  });

  const manage = (method, suffix, body, text) => {
    const name = byId('manage-user').value;
    perform(async () => {
      await api(method, `/users/${encodeURIComponent(name)}${suffix}`, body);
      await loadUsers();
    }, text(name));
  };
  byId('manage-set-role').addEventListener('click', () => manage(
    'PATCH', '', { role: byId('manage-role').value },
    (name) => `${name} now has the role ${byId('manage-role').value}.`));
  byId('manage-reset').addEventListener('click', () => {
    const password = byId('manage-password');
    manage('POST', '/password', { new_password: password.value },
           (name) => `The password of ${name} is reset; they must change it at sign-in.`);
    password.value = '';
  });
  byId('manage-unlock').addEventListener('click', () => manage(
    'POST', '/unlock', undefined, (name) => `${name} is unlocked.`));
  byId('manage-disable').addEventListener('click', () => manage(
    'PATCH', '', { disabled: true }, (name) => `${name} is disabled and signed out.`));
  byId('manage-enable').addEventListener('click', () => manage(
    'PATCH', '', { disabled: false }, (name) => `${name} is enabled.`));

  byId('api-token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { user: byId('api-token-user').value, role: byId('api-token-role').value,
                   lifetime_days: Number(byId('api-token-days').value),
                   description: byId('api-token-description').value.trim() };
    perform(async () => {
      const created = await api('POST', '/api-tokens', body);
      showSecret(`API token for ${created.user}`, created.token);
      await loadApiTokens();
    }, 'The API token is created.');
  });
  byId('enrollment-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { description: byId('enrollment-description').value.trim(),
                   max_uses: Number(byId('enrollment-uses').value),
                   lifetime_days: Number(byId('enrollment-days').value) };
    perform(async () => {
      const created = await api('POST', '/enrollment-tokens', body);
      showSecret(`Enrollment token "${created.description}"`, created.token);
      byId('enrollment-form').reset();
      await loadEnrollmentTokens();
    }, 'The enrollment token is created.');
  });
  byId('secret-copy').addEventListener('click', () => perform(
    () => navigator.clipboard.writeText(byId('secret-text').textContent),
    'The token is on the clipboard.'));
  byId('secret-done').addEventListener('click', hideSecret);

  byId('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {
      drive_unlock_reasons: lines(byId('drive-reasons').value),
      tpm_reasons: lines(byId('tpm-reasons').value),
      self_service_notice: byId('notice').value.trim(),
      company_name: byId('company-name').value.trim(),
      helpdesk_contact: byId('helpdesk-contact').value.trim(),
      report_interval_minutes: Number(byId('report-interval').value),
      agent_tpm_unlock_window_minutes: Number(byId('tpm-window').value),
    };
    perform(async () => {
      showSettings(await api('PATCH', '/settings', body));
      loadSettings();
    }, 'The settings are saved.');
  });
}

async function start() {
  loadSettings();
  const session = await requireSession(['admin']);
  if (!session) return;
  for (const select of document.querySelectorAll('[data-roles]')) fillSelect(select, ROLES);
  wireForms();
  try {
    await Promise.all([loadUsers(), loadApiTokens(), loadEnrollmentTokens(),
                       api('GET', '/settings').then(showSettings)]);
  } catch (error) {
    showMessage(error.message);
  }
  document.body.dataset.ready = 'true';
}

start();
