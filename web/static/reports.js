// The reports page (report readers, admins): the recovery audit with its filters, pages, CSV
// and the hash chain's verification; enterprise compliance with its trend; keys awaiting
// rotation; computers recovered repeatedly.
import { api, apiUrl, withQuery } from './api.js';
import { loadSettings, requireSession, showMessage } from './page.js';
import { computerLink, formatTime, renderTable } from './table.js';

const PAGE_SIZE = 50;
const auditForm = document.getElementById('audit-form');
const nextButton = document.getElementById('audit-next');
const firstButton = document.getElementById('audit-first');
let nextFrom = null;

function auditFilters() {
  const value = (id) => document.getElementById(id).value.trim();
  return { since: value('since'), until: value('until'), source: value('source'),
           result: value('result'), key_type: value('key-type'), user: value('user'),
           computer: value('computer') };
}

async function showAudit(from) {
  const filters = auditFilters();
  document.getElementById('audit-csv').href = apiUrl('/audit', { ...filters, format: 'csv' });
  const page = await api('GET', withQuery('/audit', { ...filters, from, limit: PAGE_SIZE }));
  renderTable(document.getElementById('audit-table'), 'Audit entries', [
    { label: '#', value: (e) => String(e.sequence) },
    { label: 'Time', value: (e) => formatTime(e.time) },
    { label: 'Actor', value: (e) => `${e.actor} (${e.role})` },
    { label: 'Source', value: (e) => e.source },
    { label: 'Computer', value: (e) => e.computer },
    { label: 'Key', value: (e) => [e.key_type, e.key_id].filter(Boolean).join(' ') },
    { label: 'Reason', value: (e) => e.reason },
    { label: 'End user', value: (e) => e.end_user },
    { label: 'Result', value: (e) => e.result },
  ], page.entries, 'No audit entry matches these filters.');
  nextFrom = page.next;
  nextButton.hidden = nextFrom === null;
  firstButton.hidden = from === 1;
}

async function showChain() {
  const chain = await api('GET', '/audit/verify');
  document.getElementById('chain').textContent = chain.ok
    ? `Hash chain verified: all ${chain.entries_checked} entries are intact.`
    : `Hash chain BROKEN at entry ${chain.bad_sequence}: ${chain.problem}. ` +
      'The audit log was altered: keep this page and tell your security officer.';
}

// The chart's <svg> is in the page, so its children take its namespace.
const chart = document.getElementById('compliance-chart');
function svg(name, attributes, text) {
  const element = document.createElementNS(chart.namespaceURI, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

// The share of computers in each state per day, as lines (0-100 %); one day is a dot.
function drawTrend(trend) {
  const width = 600;
  const height = 220;
  const left = 40;
  const bottom = 30;
  const plotWidth = width - left - 10;
  const plotHeight = height - bottom - 10;
  chart.replaceChildren();
  const total = (s) => s.compliant + s.noncompliant + s.unknown;
  const last = trend[trend.length - 1];
  chart.append(svg('title', { id: 'chart-title' },
                   `Compliance over ${trend.length} day(s); on ${last.day} ` +
                   `${percent(last.compliant, total(last))} compliant`));
  chart.append(svg('line', { x1: left, y1: 10, x2: left, y2: 10 + plotHeight, class: 'axis' }));
  chart.append(svg('line', { x1: left, y1: 10 + plotHeight, x2: left + plotWidth,
                             y2: 10 + plotHeight, class: 'axis' }));
  for (const p of [0, 50, 100]) {
    chart.append(svg('text', { x: 2, y: 14 + plotHeight - (plotHeight * p) / 100,
                               class: 'label' }, `${p}%`));
  }
  chart.append(svg('text', { x: left, y: height - 8, class: 'label' }, trend[0].day));
  if (trend.length > 1) {
    chart.append(svg('text', { x: left + plotWidth - 70, y: height - 8, class: 'label' },
                     last.day));
  }
  const x = (i) => left + (trend.length === 1 ? plotWidth / 2 : (plotWidth * i) / (trend.length - 1));
  const y = (count, s) => 10 + plotHeight - (total(s) ? (plotHeight * count) / total(s) : 0);
  for (const state of ['compliant', 'noncompliant', 'unknown']) {
    const points = trend.map((s, i) => `${x(i).toFixed(1)},${y(s[state], s).toFixed(1)}`);
    if (trend.length === 1) {
      const [cx, cy] = points[0].split(',');
      chart.append(svg('circle', { cx, cy, r: 4, class: state }));
    } else {
      chart.append(svg('polyline', { points: points.join(' '), class: state }));
    }
  }
}

function percent(count, total) {
  return total === 0 ? '0%' : `${((100 * count) / total).toFixed(1)}%`;
}

async function showCompliance() {
  const report = await api('GET', '/reports/compliance');
  const c = report.counts;
  const total = c.compliant + c.noncompliant + c.unknown;
  renderTable(document.getElementById('compliance-counts'), `Computers by state (${total} in all)`, [
    { label: 'State', value: (r) => r.state },
    { label: 'Computers', value: (r) => String(r.count) },
    { label: 'Share', value: (r) => percent(r.count, total) },
  ], [{ state: 'Compliant', count: c.compliant },
      { state: 'Non-compliant', count: c.noncompliant },
      { state: 'Unknown (no drive reported yet)', count: c.unknown }], 'No computer yet.');
  drawTrend(report.trend);
  renderTable(document.getElementById('noncompliant-table'), 'Non-compliant drives', [
    { label: 'Computer', value: (r) => computerLink(r.computer, r.computer_id) },
    { label: 'Drive', value: (r) => `${r.drive_letter || '(no letter)'} ${r.volume_type}` },
    { label: 'Why', value: (r) => r.reasons },
  ], report.rows, 'Every computer that reported its drives is compliant.');
}

async function showRotation() {
  const report = await api('GET', '/reports/keys-awaiting-rotation');
  renderTable(document.getElementById('rotation-table'), 'Disclosed keys awaiting rotation', [
    { label: 'Computer', value: (r) => computerLink(r.computer, r.computer_id) },
    { label: 'Drive', value: (r) => r.drive_letter },
    { label: 'Key ID', value: (r) => r.key_id },
    { label: 'Disclosed', value: (r) => formatTime(r.disclosed_at) },
    { label: 'Age (days)', value: (r) => r.age_days },
    { label: 'Last contact', value: (r) => formatTime(r.last_contact) || 'never' },
  ], report.rows, 'No disclosed key is waiting: every one was replaced.');
}

async function showRepeated() {
  const report = await api('GET', '/reports/repeated-recoveries');
  document.getElementById('repeated-rule').textContent =
    `Computers with ${report.min_disclosures} or more recovery password disclosures in the ` +
    `last ${report.window_days} days: look for a hardware fault, a bad update or misuse.`;
  renderTable(document.getElementById('repeated-table'), 'Repeated recoveries', [
    { label: 'Computer', value: (r) => computerLink(r.computer, r.computer_id) },
    { label: 'Disclosures', value: (r) => r.disclosures },
    { label: 'First', value: (r) => formatTime(r.first) },
    { label: 'Last', value: (r) => formatTime(r.last) },
  ], report.rows, 'No computer was recovered repeatedly.');
}

// Runs `show`, reporting a failure in the page's message region.
async function attempt(show) {
  try {
    await show();
  } catch (error) {
    showMessage(error.message);
  }
}

async function start() {
  loadSettings();
  const session = await requireSession(['report-reader', 'admin']);
  if (!session) return;
  auditForm.addEventListener('submit', (event) => {
    event.preventDefault();
    showMessage();
    attempt(() => showAudit(1));
  });
  nextButton.addEventListener('click', () => attempt(() => showAudit(nextFrom)));
  firstButton.addEventListener('click', () => attempt(() => showAudit(1)));
  await Promise.all([attempt(showChain), attempt(() => showAudit(1)), attempt(showCompliance),
                     attempt(showRotation), attempt(showRepeated)]);
  document.body.dataset.ready = 'true';
}

start();
