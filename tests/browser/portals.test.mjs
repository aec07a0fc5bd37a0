// The portals in a real browser against a real `lockbox serve` seeded through its API:
// helpdesk and self-service recovery end to end (audit row, key marked for rotation), a user
// refused another's computer, an ambiguous key ID, the idle sign-out, and axe-core's
// accessibility check on every page. Screenshots of every page go to LOCKBOX_TEST_ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { enrollComputer, recoveryPassword, startLockbox } from './lockbox-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.env.LOCKBOX_BINARY ?? resolve(here, '../../build/lockbox');
const artifacts = process.env.LOCKBOX_TEST_ARTIFACTS ?? resolve(here, '../../test-artifacts/browser');
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
                                 'utf8');

const INITIAL_PASSWORD = 'initial password 1234';
const PASSWORD = 'correct horse battery staple';
const HELPDESK_CONTACT = '+1 555 0100';
const IDLE_SECONDS = 10;

const alice = { key_id: '4381f759-c4f8-4de0-bb61-fc33a831bda5', password: recoveryPassword() };
const bob = { key_id: '9d2b6f5e-4c3b-4a10-8f59-5209f5b949a0', password: recoveryPassword() };
// Two keys of two computers whose IDs start alike: an ambiguous prefix.
const twinB = { key_id: '5ca1ab1e-0000-4000-8000-00000000000b', password: recoveryPassword() };
const twinC = { key_id: '5ca1ab1e-0000-4000-8000-00000000000c', password: recoveryPassword() };

let lockbox, browser, admin;
const computers = {};

before(async () => {
  await mkdir(artifacts, { recursive: true });
  lockbox = await startLockbox({
    binary,
    selfService: { company_name: 'Contoso', helpdesk_contact: HELPDESK_CONTACT,
                   idle_timeout_seconds: IDLE_SECONDS },
  });
  admin = await lockbox.client().signIn('admin', lockbox.adminPassword, PASSWORD);
  await admin.call('POST', '/users', { name: 'helpdesk1', display_name: 'Helen Desk',
                                       role: 'helpdesk', initial_password: INITIAL_PASSWORD });
  for (const name of ['contoso\\alice', 'contoso\\bob']) {
    await admin.call('POST', '/users', { name, display_name: name, role: 'self-service',
                                         initial_password: INITIAL_PASSWORD });
    await lockbox.client().signIn(name, INITIAL_PASSWORD, PASSWORD);
  }
  const { token } = await admin.call('POST', '/enrollment-tokens',
                                     { description: 'browser tests', max_uses: 3 });
  const os = (id, keys) => ({ id, letter: 'C:', type: 'os', keys });
  computers.alice = await enrollComputer(lockbox, token, {
    name: 'PC-ALICE', users: ['contoso\\alice'],
    volumes: [os('8f595209-f5b9-49a0-85d4-cb8f80258c27', [alice])] });
  computers.bob = await enrollComputer(lockbox, token, {
    name: 'PC-BOB', users: ['contoso\\bob'],
    volumes: [os('1b2c3d4e-0000-4000-8000-000000000001', [bob]),
              { id: '1b2c3d4e-0000-4000-8000-000000000002', letter: 'D:', type: 'fixed',
                keys: [twinB] }] });
  computers.carol = await enrollComputer(lockbox, token, {
    name: 'PC-CAROL', users: ['contoso\\carol'],
    volumes: [os('1b2c3d4e-0000-4000-8000-000000000003', [twinC])] });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await lockbox?.stop();
});

// A fresh browser (no cookies) on the server; uncaught errors and Content-Security-Policy
// violations fail the test that made them.
async function newPage(t, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: lockbox.origin });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems, []);
  });
  return page;
}

// axe-core on the page as it is now: no serious or critical violation. It is injected through
// the DevTools protocol, which the page's Content-Security-Policy does not govern.
async function checkAccessibility(page, name) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  const bad = results.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(bad.map((v) => `${name}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`), []);
}

async function screenshot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

async function signIn(page, name, password) {
  await page.goto(`${lockbox.origin}/`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function auditEntryFor(keyId) {
  const { entries } = await admin.call('GET', '/audit?from=1&limit=1000');
  const entry = entries.filter((e) => e.key_id === keyId).at(-1);
  assert.ok(entry, `no audit entry for ${keyId} in ${JSON.stringify(entries.map((e) => e.key_id))}`);
  return entry;
}

async function expectDisclosed(page, key) {
  const result = page.locator('#result');
  await result.getByRole('heading', { name: 'Recovery password' }).waitFor();
  assert.deepEqual(await result.locator('.group-digits').allTextContents(), key.password.split('-'));
  assert.deepEqual(await result.locator('.password-groups .group-number').allTextContents(),
                   ['1', '2', '3', '4', '5', '6', '7', '8']);
  assert.match(await result.locator('.rotation').textContent(), /This key will be rotated/);
}

test('helpdesk: a first sign-in changes the password, then a drive is recovered', async (t) => {
  const page = await newPage(t);
  const served = await page.goto(`${lockbox.origin}/`);
  const headers = served.headers();
  assert.equal(headers['content-security-policy'],
               "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; " +
               "form-action 'self'; object-src 'none'");
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  assert.equal(headers['content-type'], 'text/html; charset=utf-8');
  // The page asks for the company name once it has loaded (page.js): wait for the answer.
  await page.locator('.brand [data-company]', { hasText: 'Contoso' }).waitFor();
  await checkAccessibility(page, 'sign-in');
  await screenshot(page, 'sign-in');

  await signIn(page, 'helpdesk1', 'not the password');
  await page.locator('#message').filter({ hasText: /./ }).waitFor();
  await screenshot(page, 'sign-in-refused');

  await signIn(page, 'helpdesk1', INITIAL_PASSWORD);
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await checkAccessibility(page, 'change-password');
  await screenshot(page, 'change-password');
  await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('The new password again').fill(PASSWORD);
  await page.getByRole('button', { name: 'Change password and continue' }).click();
  await page.waitForURL(`${lockbox.origin}/helpdesk`);
  await page.getByRole('heading', { name: 'Drive recovery' }).waitFor();
  await page.locator('#reason option:nth-child(2)').waitFor({ state: 'attached' });
  await checkAccessibility(page, 'helpdesk');
  await screenshot(page, 'helpdesk');

  // Standard helpdesk must name the caller.
  await page.getByLabel('Recovery key ID').fill('4381-f759');
  const reasons = await page.locator('#reason option').allTextContents();
  await page.getByLabel('Reason', { exact: true }).selectOption(reasons[1]);
  await page.getByRole('button', { name: 'Get recovery password' }).click();
  assert.match(await page.locator('#message').textContent(), /user of the computer/);

  await page.getByLabel('User of the computer').fill('contoso\\alice');
  await page.getByRole('button', { name: 'Get recovery password' }).click();
  await expectDisclosed(page, alice);
  const facts = await page.locator('.facts').textContent();
  assert.match(facts, /PC-ALICE/);
  assert.match(facts, /C: operating system drive/);
  assert.match(facts, /2024/);
  await page.getByRole('button', { name: 'Copy password' }).click();
  await page.locator('.copy-status').filter({ hasText: 'Copied.' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), alice.password);
  await page.getByRole('button', { name: 'Read-aloud layout' }).click();
  assert.match(await page.locator('#read-aloud').textContent(),
               new RegExp(`Group 1${alice.password.slice(0, 6).split('').join(' ')}`));
  await checkAccessibility(page, 'helpdesk-disclosed');
  await screenshot(page, 'helpdesk-disclosed');

  const entry = await auditEntryFor(alice.key_id);
  assert.equal(entry.result, 'disclosed');
  assert.equal(entry.actor, 'helpdesk1');
  assert.equal(entry.end_user, 'contoso\\alice');
  assert.equal(entry.reason, reasons[1]);
  const { keys } = await admin.call('GET', `/computers/${computers.alice.id}/keys`);
  assert.equal(keys.find((k) => k.key_id === alice.key_id).state, 'disclosed');
  assert.deepEqual((await computers.alice.report()).rotate, [alice.key_id]);

  await page.getByRole('button', { name: /^Done/ }).click();
  assert.equal(await page.locator('.group-digits').count(), 0);
});

test('helpdesk: an ambiguous key ID lists the candidates without secrets', async (t) => {
  const page = await newPage(t);
  await signIn(page, 'helpdesk1', PASSWORD);
  await page.waitForURL(`${lockbox.origin}/helpdesk`);
  await page.locator('#reason option:nth-child(2)').waitFor({ state: 'attached' });
  await page.getByLabel('Recovery key ID').fill('{5CA1AB1E-0000');
  await page.getByLabel('Reason', { exact: true }).selectOption('Other');
  await page.getByLabel('Describe the reason').fill('Motherboard replaced');
  await page.getByLabel('User of the computer').fill('contoso\\carol');
  await page.getByRole('button', { name: 'Get recovery password' }).click();
  const table = page.locator('#candidates table');
  await table.waitFor();
  const rows = await table.locator('tbody tr').allTextContents();
  assert.equal(rows.length, 2);
  assert.match(rows.join(' '), /PC-BOB/);
  assert.match(rows.join(' '), /PC-CAROL/);
  const text = await page.locator('body').textContent();
  for (const key of [twinB, twinC]) {
    for (const group of key.password.split('-')) assert.ok(!text.includes(group), group);
  }
  await checkAccessibility(page, 'helpdesk-ambiguous');
  await screenshot(page, 'helpdesk-ambiguous');
  assert.match((await auditEntryFor('5ca1ab1e0000')).result, /^ambiguous/);

  await table.locator('tr', { hasText: 'PC-CAROL' }).getByRole('button').click();
  await expectDisclosed(page, twinC);
  const entry = await auditEntryFor(twinC.key_id);
  assert.equal(entry.result, 'disclosed');
  assert.equal(entry.reason, 'Other: Motherboard replaced');
});

test('self-service: notice, own computers only, and the password, on a phone', async (t) => {
  const page = await newPage(t, { width: 390, height: 844 });
  await signIn(page, 'contoso\\alice', PASSWORD);
  await page.waitForURL(`${lockbox.origin}/self-service`);
  await page.getByRole('heading', { name: 'Before you continue' }).waitFor();
  assert.match(await page.locator('.help').textContent(), /call the helpdesk at \+1 555 0100/);
  await checkAccessibility(page, 'self-service-notice');
  await screenshot(page, 'self-service-notice');

  await page.getByRole('button', { name: 'Continue' }).click();
  assert.match(await page.locator('#message').textContent(), /Tick the box/);
  await page.getByLabel('I have read this notice and accept it').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  const own = await page.locator('#computers').textContent();
  assert.match(own, /PC-ALICE/);
  assert.doesNotMatch(own, /PC-BOB|PC-CAROL/);
  await checkAccessibility(page, 'self-service-computers');
  await screenshot(page, 'self-service-computers');

  await page.getByLabel('Recovery key ID').fill(alice.key_id.toUpperCase());
  await page.getByLabel('Why do you need it?').selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Show my recovery password' }).click();
  await expectDisclosed(page, alice);
  await checkAccessibility(page, 'self-service-disclosed');
  await screenshot(page, 'self-service-disclosed');
  const entry = await auditEntryFor(alice.key_id);
  assert.equal(entry.result, 'disclosed');
  assert.equal(entry.actor, 'contoso\\alice');
  assert.match(entry.source, /^self-service/);
});

test('self-service: a key of another person\'s computer is refused with what to do next',
     async (t) => {
  const page = await newPage(t, { width: 390, height: 844 });
  await signIn(page, 'contoso\\alice', PASSWORD);
  // By keyboard alone, with the focus visible at each step.
  const accept = page.getByLabel('I have read this notice and accept it');
  await accept.waitFor();
  await accept.focus();
  await page.keyboard.press('Space');
  assert.ok(await accept.isChecked());
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Continue');
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle),
                  'none');
  await page.keyboard.press('Enter');
  await page.locator('#reason option:nth-child(2)').waitFor({ state: 'attached' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'key-id');
  await page.keyboard.type(bob.key_id.slice(0, 8));
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowDown');
  assert.notEqual(await page.locator('#reason').inputValue(), '');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent),
               'Show my recovery password');
  await page.keyboard.press('Enter');
  const message = page.locator('#message');
  await message.filter({ hasText: /./ }).waitFor();
  assert.match(await message.textContent(), /call the helpdesk at \+1 555 0100/);
  assert.equal(await page.locator('.group-digits').count(), 0);
  assert.ok(!(await page.locator('body').textContent()).includes('PC-BOB'));
  await screenshot(page, 'self-service-refused');
  assert.match((await auditEntryFor(bob.key_id.slice(0, 8))).result, /^not_found/);
});

test('self-service: an idle session is warned, then signed out on the server', async (t) => {
  const page = await newPage(t, { width: 390, height: 844 });
  await signIn(page, 'contoso\\alice', PASSWORD);
  await page.getByRole('heading', { name: 'Before you continue' }).waitFor();
  const warning = page.getByRole('alertdialog', { name: 'Are you still there?' });
  await warning.waitFor({ timeout: IDLE_SECONDS * 1000 });
  assert.match(await warning.textContent(), /signed out in\s+\d+ seconds/);
  await checkAccessibility(page, 'self-service-idle-warning');
  await screenshot(page, 'self-service-idle-warning');
  // Staying restarts the clock: the warning goes, and comes back only after another idle spell.
  await page.getByRole('button', { name: 'Stay signed in' }).click();
  await warning.waitFor({ state: 'hidden' });
  await warning.waitFor({ timeout: IDLE_SECONDS * 1000 });
  await page.getByRole('heading', { name: 'You have been signed out' })
            .waitFor({ timeout: IDLE_SECONDS * 1000 });
  assert.match(await page.locator('#signed-out-text').textContent(), /10 seconds without activity/);
  await checkAccessibility(page, 'self-service-signed-out');
  await screenshot(page, 'self-service-signed-out');
  const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  assert.equal(status, 401);
});

// A downloaded CSV's lines (the link's answer, as the browser saved it).
async function downloadCsv(page, link) {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n');
}

async function createPerson(name, role) {
  await admin.call('POST', '/users', { name, display_name: name, role,
                                       initial_password: INITIAL_PASSWORD });
  await lockbox.client().signIn(name, INITIAL_PASSWORD, PASSWORD);
}

test('reports: the recovery audit, compliance, keys awaiting rotation, repeated recoveries',
     async (t) => {
  // A computer whose removable drive has no recovery password: non-compliant.
  const { token } = await admin.call('POST', '/enrollment-tokens',
                                     { description: 'reports', max_uses: 1 });
  computers.dave = await enrollComputer(lockbox, token, {
    name: 'PC-DAVE', users: ['contoso\\dave'],
    volumes: [{ id: '1b2c3d4e-0000-4000-8000-000000000004', letter: 'E:', type: 'removable',
                keys: [] }] });
  await createPerson('auditor1', 'report-reader');
  const page = await newPage(t);
  await signIn(page, 'auditor1', PASSWORD);
  await page.waitForURL(`${lockbox.origin}/reports`);
  await page.locator('body[data-ready="true"]').waitFor();
  assert.match(await page.locator('#chain').textContent(), /Hash chain verified: all \d+ entries/);
  await checkAccessibility(page, 'reports');
  await screenshot(page, 'reports');

  // The audit: PC-ALICE's key was disclosed to the helpdesk and to alice herself.
  await page.getByLabel('Result').selectOption('disclosed');
  await page.getByLabel('Computer (name or ID)').fill('pc-alice');
  await page.getByLabel('From (date)').fill(new Date().toISOString().slice(0, 10));
  await page.getByRole('button', { name: 'Show entries' }).click();
  const auditRows = page.locator('#audit-table tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('#audit-table tbody tr').length === 2);
  const actors = (await auditRows.allTextContents()).join(' ');
  assert.match(actors, /helpdesk1 \(helpdesk\)/);
  assert.match(actors, /contoso\\alice \(self-service\)/);
  const auditCsv = await downloadCsv(page, page.locator('#audit-csv'));
  assert.equal(auditCsv[0], '"sequence","time","actor","role","source","computer","key_id",' +
                            '"key_type","reason","end_user","result"');
  assert.equal(auditCsv.length, 3);
  assert.ok(auditCsv.slice(1).every((line) => line.includes('PC-ALICE') && line.endsWith('"disclosed"')));

  // Compliance: PC-DAVE's removable drive, with its reasons, and the trend chart.
  const counts = await page.locator('#compliance-counts').textContent();
  assert.match(counts, /Non-compliant1/);
  assert.match(counts, /Compliant3/);
  assert.match(counts, /75\.0%/);
  assert.match(await page.locator('#compliance-chart title').textContent(), /75\.0% compliant/);
  const noncompliant = await page.locator('#noncompliant-table tbody').textContent();
  assert.match(noncompliant, /PC-DAVE/);
  assert.match(noncompliant, /no recovery_password protector; no recovery password escrowed/);
  const complianceCsv = await downloadCsv(page, page.locator('#compliance-csv'));
  assert.equal(complianceCsv.length, 2);
  assert.match(complianceCsv[1], /^"PC-DAVE","[0-9a-f-]{36}","E:","removable"/);

  // Disclosed keys not yet replaced, and the computer recovered twice.
  const rotation = await page.locator('#rotation-table tbody').textContent();
  assert.match(rotation, new RegExp(alice.key_id));
  assert.match(rotation, new RegExp(twinC.key_id));
  const rotationCsv = await downloadCsv(page, page.locator('#rotation a[download]'));
  assert.equal(rotationCsv.length, 3);
  assert.match(await page.locator('#repeated-rule').textContent(), /2 or more .* last 30 days/);
  const repeated = page.locator('#repeated-table tbody tr');
  assert.equal(await repeated.count(), 1);
  assert.match(await repeated.textContent(), /PC-ALICE.*2/);
  const repeatedCsv = await downloadCsv(page, page.locator('#repeated a[download]'));
  assert.match(repeatedCsv[1], new RegExp(`^"PC-ALICE \\(${computers.alice.id}\\)","${computers.alice.id}","2"`));
  await screenshot(page, 'reports-filtered');

  // Its computer link opens the computer page, which report readers may read.
  await repeated.getByRole('link', { name: /PC-ALICE/ }).click();
  await page.waitForURL(`${lockbox.origin}/computers?id=${computers.alice.id}`);
  await page.getByRole('heading', { name: 'PC-ALICE' }).waitFor();
});

test('computers: advanced helpdesk finds a computer by name or drive label and opens it',
     async (t) => {
  await createPerson('advanced1', 'advanced-helpdesk');
  const page = await newPage(t);
  await signIn(page, 'advanced1', PASSWORD);
  await page.waitForURL(`${lockbox.origin}/helpdesk`);
  await page.getByRole('link', { name: 'Computers' }).click();
  await page.waitForURL(`${lockbox.origin}/computers`);
  await page.locator('body[data-ready="true"]').waitFor();

  // A word of the drive labels ("PC-BOB D: 2024-01-15") finds every computer; a name one.
  await page.getByLabel('Computer name or drive label').fill('2024-01');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.locator('#results-table tbody tr').nth(3).waitFor();
  assert.equal(await page.locator('#results-table tbody tr').count(), 4);
  await page.getByLabel('Computer name or drive label').fill('pc-b');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#results-table tbody tr').length === 1);
  await checkAccessibility(page, 'computers-search');
  await screenshot(page, 'computers-search');

  await page.getByRole('link', { name: 'PC-BOB' }).click();
  await page.getByRole('heading', { name: 'PC-BOB' }).waitFor();
  const drives = await page.locator('#computer-volumes tbody').textContent();
  assert.match(drives, /C: os/);
  assert.match(drives, /D: fixed/);
  assert.match(drives, /tpm/);
  assert.match(drives, /compliant/);
  const keys = await page.locator('#computer-keys tbody').textContent();
  assert.match(keys, new RegExp(bob.key_id));
  assert.match(keys, new RegExp(twinB.key_id));
  assert.match(keys, /active/);
  assert.match(keys, /not verified/);
  assert.match(await page.locator('#computer-users').textContent(), /contoso\\bob/);
  assert.match(await page.locator('#computer-facts').textContent(), /compliant/);
  assert.ok(!(await page.locator('body').textContent()).includes(bob.password.slice(0, 13)));
  await checkAccessibility(page, 'computer');
  await screenshot(page, 'computer');

  // A disclosed key shows as waiting for its rotation; a drive without escrow says why.
  await page.goto(`${lockbox.origin}/computers?id=${computers.alice.id}`);
  await page.locator('body[data-ready="true"]').waitFor();
  assert.match(await page.locator('#computer-keys tbody').textContent(),
               /disclosed, awaiting rotation/);
  await page.goto(`${lockbox.origin}/computers?id=${computers.dave.id}`);
  await page.locator('body[data-ready="true"]').waitFor();
  assert.match(await page.locator('#computer-volumes tbody').textContent(),
               /noncompliant: .*no recovery password escrowed/);
  await screenshot(page, 'computer-noncompliant');
});

// Last: it changes the reasons, the notice and the helpdesk contact the tests above rely on.
test('administration: an account, an enrollment token, the reasons and the notice', async (t) => {
  const page = await newPage(t);
  await signIn(page, 'admin', PASSWORD);
  await page.waitForURL(`${lockbox.origin}/helpdesk`);
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.waitForURL(`${lockbox.origin}/admin`);
  await page.locator('body[data-ready="true"]').waitFor();
  await checkAccessibility(page, 'admin');
  await screenshot(page, 'admin');
  const done = page.locator('#done');

  // An account, created and listed; the API has it with its role.
  await page.getByLabel('Account name').fill('contoso\\erin');
  await page.getByLabel('Display name').fill('Erin');
  await page.getByLabel('Role', { exact: true }).first().selectOption('helpdesk');
  await page.getByLabel('Initial password').fill(INITIAL_PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await done.filter({ hasText: 'contoso\\erin is created' }).waitFor();
  assert.match(await page.locator('#users-table').textContent(), /contoso\\erin/);
  const { users } = await admin.call('GET', '/users');
  assert.equal(users.find((u) => u.name === 'contoso\\erin')?.role, 'helpdesk');

  // An enrollment token: its text shown once, then revoked; an agent can no longer use it.
  await page.getByLabel('Description', { exact: true }).last().fill('Admin page test');
  await page.getByRole('button', { name: 'Create enrollment token' }).click();
  const secret = page.locator('#secret-text');
  await secret.filter({ hasText: /^lbx_/ }).waitFor();
  const token = await secret.textContent();
  await checkAccessibility(page, 'admin-token-shown');
  await screenshot(page, 'admin-token-shown');
  await page.getByRole('button', { name: 'Done, hide it' }).click();
  assert.ok(!(await page.locator('body').textContent()).includes(token));
  await page.getByRole('button', { name: 'Revoke enrollment token Admin page test' }).click();
  await done.filter({ hasText: 'revoked' }).waitFor();
  assert.match(await page.locator('#enrollment-table').textContent(), /revoked/);
  await assert.rejects(enrollComputer(lockbox, token, { name: 'PC-LATE', users: [], volumes: [] }),
                       /401|403/);

  // The reasons and the notice, saved and at once in the helpdesk's and the user's pages.
  await page.getByLabel('Drive unlock reasons').fill('Lost PIN\nDocking station swap');
  await page.getByLabel('Notice users accept before they see a password')
            .fill('Contoso records every recovery.');
  await page.getByLabel('Helpdesk contact').fill('+1 555 0199');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await done.filter({ hasText: 'The settings are saved' }).waitFor();
  assert.equal(await page.getByLabel('Drive unlock reasons').inputValue(),
               'Lost PIN\nDocking station swap\nOther');
  await screenshot(page, 'admin-settings-saved');

  const helpdesk = await newPage(t);
  await signIn(helpdesk, 'helpdesk1', PASSWORD);
  await helpdesk.locator('#reason option:nth-child(2)').waitFor({ state: 'attached' });
  assert.deepEqual(await helpdesk.locator('#reason option').allTextContents(),
                   ['Choose a reason', 'Lost PIN', 'Docking station swap', 'Other']);
  const user = await newPage(t, { width: 390, height: 844 });
  await signIn(user, 'contoso\\bob', PASSWORD);
  await user.getByRole('heading', { name: 'Before you continue' }).waitFor();
  await user.locator('.notice').filter({ hasText: 'Contoso records every recovery.' }).waitFor();
  assert.match(await user.locator('.help').textContent(), /call the helpdesk at \+1 555 0199/);

  const { entries } = await admin.call('GET', '/audit?user=admin&limit=1000');
  const changes = entries.filter((e) => e.actor === 'admin').map((e) => e.reason);
  for (const what of ['user created', 'enrollment token revoked', 'setting changed']) {
    assert.ok(changes.includes(what), `no "${what}" in ${JSON.stringify(changes)}`);
  }
});
