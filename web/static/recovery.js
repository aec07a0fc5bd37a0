// The drive-recovery form and its answers, shared by the helpdesk and self-service pages: the
// key ID field, the reason list, the disclosed password (large, in 8 numbered groups, with a
// copy button and a read-aloud layout) and the candidates of an ambiguous key ID.
import { api } from './api.js';
import { showMessage, signOut } from './page.js';

// The key ID as the API takes it: hex digits only, upper-case, or null when it is not 8 to 32
// hex digits once hyphens, braces and spaces are dropped.
export function normalizeKeyId(text) {
  const hex = text.replace(/[\s{}-]/g, '').toUpperCase();
  return /^[0-9A-F]{8,32}$/.test(hex) ? hex : null;
}

// Makes `form` (#key-id, #reason, #reason-text) ask for recovery passwords: fills the reason
// list from GET /api/v1/recovery/reasons, shows the text field only for "Other", and on submit
// checks the fields, lets `prepare(body)` add the page's own (it throws an Error saying what to
// fix), sends POST /api/v1/recovery/password and shows the password in #result, or hands an
// ambiguous answer to `onAmbiguous`. A failure is shown as the parts `describeFailure(error)`
// returns; an ended session goes back to the sign-in page.
export async function wireRecoveryForm(form, { prepare, onAmbiguous, describeFailure }) {
  const keyId = form.querySelector('#key-id');
  const reason = form.querySelector('#reason');
  const reasonTextField = form.querySelector('#reason-text-field');
  const reasonText = form.querySelector('#reason-text');
  const result = document.getElementById('result');
  const reasons = await api('GET', '/recovery/reasons');
  for (const name of reasons.drive_unlock) reason.add(new Option(name, name));
  const syncOther = () => {
    const other = reason.value === reasons.other;
    reasonTextField.hidden = !other;
    reasonText.required = other;
  };
  reason.addEventListener('change', syncOther);
  syncOther();

  const requestBody = () => {
    const id = normalizeKeyId(keyId.value);
    if (id === null) {
      keyId.setAttribute('aria-invalid', 'true');
      keyId.focus();
      throw new Error('The key ID needs at least the first 8 characters (0-9 and A-F) shown on ' +
                      'the recovery screen.');
    }
    keyId.removeAttribute('aria-invalid');
    if (reason.value === '') {
      reason.focus();
      throw new Error('Choose the reason for this recovery.');
    }
    const body = { key_id: id, reason: reason.value };
    if (reason.value === reasons.other) {
      if (reasonText.value.trim() === '') {
        reasonText.focus();
        throw new Error('Describe the reason in the text field under "Other".');
      }
      body.reason_text = reasonText.value.trim();
    }
    return prepare(body);
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage('');
    result.hidden = true;
    result.replaceChildren();
    let body;
    try {
      body = requestBody();
    } catch (error) {
      showMessage(error.message);
      return;
    }
    try {
      const answer = await api('POST', '/recovery/password', body);
      if (answer.result === 'ambiguous') {
        onAmbiguous(answer);
      } else {
        showDisclosure(result, answer, () => keyId.focus());
      }
    } catch (error) {
      // The session ended (idle on the server, or signed out elsewhere): sign in again.
      if (error.status === 401) {
        signOut('/');
        return;
      }
      showMessage(...describeFailure(error));
    }
  });
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function formatTime(iso) {
  if (!iso) return element('span', {}, 'not known');
  const text = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
                   .format(new Date(iso));
  return element('time', { datetime: iso }, text);
}

const VOLUME_TYPES = { os: 'operating system drive', fixed: 'fixed data drive',
                       removable: 'removable drive' };

export function describeVolume(volume) {
  if (!volume) return 'not known';
  const parts = [volume.drive_letter, VOLUME_TYPES[volume.type] ?? volume.type].filter(Boolean);
  const label = parts.join(' ');
  return volume.description ? `${label} (${volume.description})` : label;
}

// Renders a disclosed recovery password (the API's "disclosed" answer) into `container`, with
// `onDone` called when the person clears it from the screen.
export function showDisclosure(container, answer, onDone) {
  const groups = answer.recovery_password.split('-');
  const groupList = element('ol', { class: 'password-groups', 'aria-label': 'Recovery password' });
  const spoken = element('ol', { class: 'read-aloud', id: 'read-aloud', hidden: '' });
  groups.forEach((digits, i) => {
    groupList.append(element('li', {}, element('span', { class: 'group-number' }, `${i + 1}`),
                             element('span', { class: 'group-digits' }, digits)));
    spoken.append(element('li', {}, element('span', { class: 'group-number' }, `Group ${i + 1}`),
                          element('span', { class: 'spoken-digits' }, digits.split('').join(' '))));
  });
  const copyStatus = element('span', { role: 'status', class: 'copy-status' });
  const copy = element('button', { type: 'button', id: 'copy-password' }, 'Copy password');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(answer.recovery_password);
      copyStatus.textContent = 'Copied.';
    } catch {
      copyStatus.textContent = 'This browser did not allow copying: read the groups instead.';
    }
  });
  const readAloud = element('button', { type: 'button', id: 'read-aloud-toggle',
                                        'aria-expanded': 'false', 'aria-controls': 'read-aloud',
                                        class: 'secondary' },
                            'Read-aloud layout');
  readAloud.addEventListener('click', () => {
    spoken.hidden = !spoken.hidden;
    readAloud.setAttribute('aria-expanded', String(!spoken.hidden));
  });
  const facts = element('dl', { class: 'facts' });
  const fact = (name, value) => facts.append(element('dt', {}, name), element('dd', {}, value));
  const computer = answer.computer;
  fact('Computer', computer.domain ? `${computer.name} (${computer.domain})` : computer.name);
  fact('Drive', describeVolume(answer.volume));
  fact('Key ID', answer.key.key_id.toUpperCase());
  fact('Created', formatTime(answer.key.created_at));
  fact('State', 'Disclosed: awaiting rotation');
  const done = element('button', { type: 'button', class: 'secondary', id: 'done' },
                       'Done: clear the password from the screen');
  done.addEventListener('click', () => {
    container.replaceChildren();
    container.hidden = true;
    onDone();
  });
  const heading = element('h2', { id: 'result-title', tabindex: '-1' }, 'Recovery password');
  container.replaceChildren(
      heading,
      element('p', { class: 'rotation' }, element('strong', {}, 'This key will be rotated. '),
              answer.rotation),
      element('div', { class: 'disclosure' },
              element('div', { class: 'password-panel' }, groupList,
                      element('div', { class: 'actions' }, copy, readAloud, copyStatus), spoken),
              facts),
      done);
  container.hidden = false;
  heading.focus();
}

// Lists the candidates of an ambiguous key ID (no secrets in them); `onChoose(keyId)` is
// called with the one the person picks.
export function showCandidates(container, answer, onChoose) {
  const rows = answer.candidates.map((c) => {
    const choose = element('button', { type: 'button', class: 'secondary' }, 'Use this key');
    choose.addEventListener('click', () => onChoose(c.key_id.toUpperCase()));
    return element('tr', {}, element('td', {}, c.computer_name),
                   element('td', {}, c.drive_letter || '-'),
                   element('td', { class: 'key-id' }, c.key_id.toUpperCase()),
                   element('td', {}, formatTime(c.created_at)), element('td', {}, choose));
  });
  const head = element('tr', {}, ...['Computer', 'Drive', 'Key ID', 'Created', 'Action'].map(
      (name) => element('th', { scope: 'col' }, name)));
  const heading = element('h2', { id: 'candidates-title', tabindex: '-1' }, 'Several keys match');
  container.replaceChildren(
      heading,
      element('p', {}, `${answer.message}. Ask for more characters of the key ID, or choose the ` +
                       'key whose computer and drive fit.'),
      element('div', { class: 'table-scroll' },
              element('table', {}, element('thead', {}, head), element('tbody', {}, ...rows))));
  container.hidden = false;
  heading.focus();
}
