// The self-service portal: the organisation's notice to accept, the user's own computers, and
// their recovery password by key ID and reason. It signs out after the configured idle time.
// Users see only their own computers: the API answers nothing else to them.
import { api } from './api.js';
import { helpdeskAdvice, loadSettings, requireSession, showMessage, signOut } from './page.js';
import { describeVolume, wireRecoveryForm } from './recovery.js';
import { watchIdle } from './idle.js';

const noticeStep = document.getElementById('notice-step');
const recoveryStep = document.getElementById('recovery-step');
const accept = document.getElementById('accept');
const keyId = document.getElementById('key-id');

function listComputers(computers, settings) {
  const list = document.getElementById('computers');
  if (computers.length === 0) {
    const item = document.createElement('li');
    item.textContent = 'No computer is registered to you yet. ' + helpdeskAdvice(settings);
    list.replaceChildren(item);
    return;
  }
  list.replaceChildren(...computers.map((computer) => {
    const item = document.createElement('li');
    const name = document.createElement('strong');
    name.textContent = computer.name;
    const drives = computer.volumes.map(describeVolume).join('; ');
    item.append(name, ` ${computer.domain ? `(${computer.domain})` : ''}`,
                document.createElement('br'), drives || 'no encrypted drive reported');
    return item;
  }));
}

function timedOut(settings) {
  document.getElementById('result').replaceChildren();  // the password leaves the page first
  signOut(null);
  document.getElementById('portal').hidden = true;
  document.querySelector('.who').hidden = true;
  const seconds = settings.self_service_idle_timeout_seconds;
  const span = seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}`
                                  : `${seconds} seconds`;
  document.getElementById('signed-out-text').textContent =
      `You were signed out after ${span} without activity, so that nobody else can use this ` +
      'page. Your recovery password, if you got one, still works once.';
  const signedOut = document.getElementById('signed-out');
  signedOut.hidden = false;
  document.getElementById('signed-out-title').focus();
}

async function start() {
  const settings = await loadSettings();
  const session = await requireSession(['self-service']);
  if (!session) return;
  watchIdle({ timeoutSeconds: settings.self_service_idle_timeout_seconds,
              onTimeout: () => timedOut(settings) });
  const form = document.getElementById('recovery-form');
  let notice, own;
  try {
    [notice, own] = await Promise.all([api('GET', '/self-service/notice'),
                                       api('GET', '/self-service/computers')]);
    await wireRecoveryForm(form, {
      prepare: (body) => ({ ...body, notice_acknowledged: true }),
      // Only the user's own keys can match: more characters tell them apart.
      onAmbiguous: () => {
        showMessage('Several of your keys start with these characters: type more of the key ID.');
        keyId.focus();
      },
      describeFailure: (error) => [error.message, helpdeskAdvice(settings)],
    });
  } catch (error) {
    showMessage(error.message, helpdeskAdvice(settings));
    return;
  }
  document.getElementById('notice-text').textContent = notice.notice;
  noticeStep.hidden = false;
  document.getElementById('notice-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (!accept.checked) {
      showMessage('Tick the box to accept the notice, then continue.');
      accept.focus();
      return;
    }
    showMessage('');
    noticeStep.hidden = true;
    listComputers(own.computers, settings);
    recoveryStep.hidden = false;
    keyId.focus();
  });
}

start();
