// The sign-in page: a local account's name and password (POST /api/v1/session), then the new
// password an account must choose at its first sign-in (POST /api/v1/session/password), then
// the page of the account's role.
import { api, rememberSession, hasCsrfToken } from './api.js';
import { loadSettings, pageForRole, showMessage } from './page.js';

const signInForm = document.getElementById('signin-form');
const changeForm = document.getElementById('change-form');
const name = document.getElementById('name');
const password = document.getElementById('password');
const newPassword = document.getElementById('new-password');
const confirmPassword = document.getElementById('confirm-password');
let currentPassword = '';

function openPageOf(role) {
  const page = pageForRole(role);
  if (page) {
    location.assign(page);
  } else {
    showMessage(`There is no page for the role ${role} yet: use the API (/api/v1/openapi.json).`);
  }
}

signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  showMessage('');
  if (name.value.trim() === '' || password.value === '') {
    showMessage('Type your user name and your password.');
    (name.value.trim() === '' ? name : password).focus();
    return;
  }
  try {
    const answer = await api('POST', '/session', { name: name.value.trim(),
                                                   password: password.value });
    rememberSession(answer);
    currentPassword = password.value;
    password.value = '';
    if (answer.must_change_password) {
      signInForm.hidden = true;
      changeForm.hidden = false;
      newPassword.focus();
      return;
    }
    openPageOf(answer.role);
  } catch (error) {
    password.value = '';
    password.focus();
    showMessage(error.message);
  }
});

changeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  showMessage('');
  if (newPassword.value === '' || newPassword.value !== confirmPassword.value) {
    showMessage('Type the same new password in both fields.');
    confirmPassword.value = '';
    newPassword.focus();
    return;
  }
  try {
    const answer = await api('POST', '/session/password',
                             { current_password: currentPassword,
                               new_password: newPassword.value });
    rememberSession(answer);
    currentPassword = '';
    newPassword.value = '';
    confirmPassword.value = '';
    openPageOf(answer.role);
  } catch (error) {
    newPassword.focus();
    showMessage(error.message);
  }
});

loadSettings();
// Already signed in in this tab: straight on to the page.
if (hasCsrfToken()) {
  api('GET', '/session').then((session) => {
    if (!session.must_change_password && pageForRole(session.role)) openPageOf(session.role);
  }, () => {});
}
