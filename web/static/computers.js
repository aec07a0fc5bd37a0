// The computers page (advanced helpdesk, admins, report readers): search by name or drive
// label, and one computer (?id=) with its drives, protectors, compliance, keys and users.
import { api, withQuery } from './api.js';
import { loadSettings, requireSession, showMessage } from './page.js';
import { computerLink, formatTime, renderTable } from './table.js';

const KEY_STATES = {
  active: 'active',
  disclosed: 'disclosed, awaiting rotation',
  retired: 'retired (replaced)',
};
const VERIFICATION = {
  verified: 'verified against the drive\'s metadata',
  unknown: 'not verified',
  mismatch: 'does NOT match the drive\'s metadata',
};

async function search(text) {
  const found = await api('GET', withQuery('/computers', { search: text }));
  const results = document.getElementById('results');
  results.hidden = false;
  document.getElementById('computer').hidden = true;
  renderTable(document.getElementById('results-table'),
              found.truncated ? 'The first 100 computers found: type more of the name'
                              : `${found.computers.length} computer(s) found`, [
    { label: 'Name', value: (c) => computerLink(c.name, c.id) },
    { label: 'Domain', value: (c) => c.domain },
    { label: 'Operating system', value: (c) => c.os },
    { label: 'Last contact', value: (c) => formatTime(c.last_contact) || 'never' },
  ], found.computers, 'No computer has this name or drive label.');
  document.getElementById('results-title').focus();
}

async function showComputer(id) {
  const [details, compliance] = await Promise.all([
    api('GET', `/computers/${encodeURIComponent(id)}`),
    api('GET', `/computers/${encodeURIComponent(id)}/compliance`),
  ]);
  const c = details.computer;
  const section = document.getElementById('computer');
  section.hidden = false;
  document.title = `${c.name} · Computers`;
  const title = document.getElementById('computer-title');
  title.textContent = c.name;
  renderTable(document.getElementById('computer-facts'), 'Computer', [
    { label: 'Domain', value: () => c.domain },
    { label: 'Operating system', value: () => c.os },
    { label: 'Last contact', value: () => formatTime(c.last_contact) || 'never' },
    { label: 'Compliance', value: () => compliance.compliance },
    { label: 'ID', value: () => c.id },
  ], [c], '');
  const complianceOf = new Map(compliance.volumes.map((v) => [v.id, v]));
  renderTable(document.getElementById('computer-volumes'), 'Drives', [
    { label: 'Drive', value: (v) => `${v.drive_letter || '(no letter)'} ${v.type}` },
    { label: 'Label', value: (v) => v.description },
    { label: 'Encryption', value: (v) => `${v.encryption_method || 'none'}, ${v.conversion}` },
    { label: 'Protection', value: (v) => v.protection },
    { label: 'Protectors', value: (v) => v.protectors.map((p) => p.type).join(', ') },
    { label: 'Compliance', value: (v) => {
      const state = complianceOf.get(v.id);
      const span = document.createElement('span');
      if (state?.compliance === 'noncompliant') span.className = 'state-noncompliant';
      span.textContent = !state ? 'unknown'
        : [state.compliance, state.reasons.join('; ')].filter(Boolean).join(': ');
      return span;
    } },
  ], details.volumes, 'No drive reported yet.');
  const keys = details.volumes.flatMap((v) => v.keys.map((k) => ({ ...k, drive: v.drive_letter })));
  renderTable(document.getElementById('computer-keys'), 'Recovery keys (history, no secrets)', [
    { label: 'Drive', value: (k) => k.drive },
    { label: 'Key ID', value: (k) => k.key_id },
    { label: 'State', value: (k) => KEY_STATES[k.state] ?? k.state },
    { label: 'Since', value: (k) => formatTime(k.state_changed_at ?? k.escrowed_at) },
    { label: 'Verification', value: (k) => VERIFICATION[k.verification] ?? k.verification },
    { label: 'Created', value: (k) => formatTime(k.created_at) },
    { label: 'Escrowed by', value: (k) => k.source },
  ], keys, 'No recovery key escrowed.');
  renderTable(document.getElementById('computer-users'), 'Users', [
    { label: 'User', value: (u) => u.user },
    { label: 'First seen', value: (u) => formatTime(u.first_seen) },
    { label: 'Last seen', value: (u) => formatTime(u.last_seen) },
  ], details.users, 'No user known.');
  title.focus();
}

async function start() {
  loadSettings();
  const session = await requireSession(['advanced-helpdesk', 'admin', 'report-reader']);
  if (!session) return;
  document.getElementById('search-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage();
    try {
      await search(document.getElementById('search').value.trim());
    } catch (error) {
      showMessage(error.message);
    }
  });
  const id = new URLSearchParams(location.search).get('id');
  try {
    if (id) await showComputer(id);
  } catch (error) {
    showMessage(error.message);
  }
  document.body.dataset.ready = 'true';
}

start();
