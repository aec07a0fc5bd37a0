// A real `lockbox serve` for the browser tests: a fresh data dir (`lockbox init`), the config
// made fast and small for tests, the server on a free loopback port, and an HTTPS client of
// its JSON API that seeds it the way agents and admins would (docs/api.md).
import { spawn, execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// A valid 48-digit recovery password: 8 blocks, each divisible by 11 and below 720896.
export function recoveryPassword() {
  return Array.from({ length: 8 }, () =>
    String(11 * Math.floor(Math.random() * 65536)).padStart(6, '0')).join('-');
}

// One JSON API session: a bearer token, or a signed-in browser's cookie and CSRF token.
export class ApiClient {
  constructor(origin, ca, bearer = null) {
    this.origin = origin;
    this.ca = ca;
    this.bearer = bearer;
    this.cookie = null;
    this.csrf = null;
  }

  call(method, path, body) {
    const headers = { Accept: 'application/json' };
    const text = body === undefined ? '' : JSON.stringify(body);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.bearer) headers.Authorization = `Bearer ${this.bearer}`;
    if (this.cookie) headers.Cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['X-CSRF-Token'] = this.csrf;
    headers['Content-Length'] = Buffer.byteLength(text);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(`${this.origin}/api/v1${path}`, { method, headers, ca: this.ca },
                               (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => { data += chunk; });
        res.on('end', () => {
          const cookie = res.headers['set-cookie']?.[0];
          if (cookie) this.cookie = cookie.split(';')[0];
          let json = null;
          try { json = JSON.parse(data); } catch { json = null; }
          if (json?.csrf_token) this.csrf = json.csrf_token;
          if (res.statusCode >= 400) {
            reject(new Error(`${method} ${path}: ${res.statusCode} ${data}`));
          } else {
            resolve(json);
          }
        });
      });
      req.on('error', reject);
      req.end(text);
    });
  }

  // Signs in as `name`; when the account must change its password first, changes it to
  // `newPassword`.
  async signIn(name, password, newPassword) {
    const answer = await this.call('POST', '/session', { name, password });
    if (answer.must_change_password) {
      await this.call('POST', '/session/password',
                      { current_password: password, new_password: newPassword });
    }
    return this;
  }
}

async function waitForPort(server, ms = 20000) {
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lockbox serve did not start:\n${log}`)), ms);
    const onData = (chunk) => {
      log += chunk;
      const m = /"msg":"listening","port":(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => reject(new Error(`lockbox serve exited ${code}:\n${log}`)));
  });
}

// Starts a server with `selfService` settings in its [self_service] table. stop() ends it
// and removes its data dir.
export async function startLockbox({ binary, selfService }) {
  const root = await mkdtemp(join(tmpdir(), 'lockbox-browser-'));
  const dataDir = join(root, 'data');
  const init = await run(binary, ['init', '--data-dir', dataDir, '--listen', '127.0.0.1:0']);
  const adminPassword = /one-time password: (\S+)/.exec(init.stdout)[1];
  const configPath = join(dataDir, 'lockbox.toml');
  let config = await readFile(configPath, 'utf8');
  // Cheap password hashes: the production cost only slows the tests down.
  config = config.replace(/^argon2_time_cost = \d+/m, 'argon2_time_cost = 1')
                 .replace(/^argon2_memory_kib = \d+/m, 'argon2_memory_kib = 1024');
  for (const [key, value] of Object.entries(selfService)) {
    const line = `${key} = ${JSON.stringify(value)}`;
    config = config.replace(new RegExp(`^#? ?${key} = .*$`, 'm'), line);
  }
  await writeFile(configPath, config);
  const server = spawn(binary, ['serve', '--data-dir', dataDir],
                       { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await waitForPort(server);
  const origin = `https://127.0.0.1:${port}`;
  const ca = await readFile(join(dataDir, 'tls', 'cert.pem'));
  return {
    origin,
    ca,
    adminPassword,
    client: (bearer) => new ApiClient(origin, ca, bearer),
    async stop() {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
      await rm(root, { recursive: true, force: true });
    },
  };
}

// Enrolls computer `name` with an enrollment token and reports its volumes, each
// {id, letter, type, keys: [{key_id, password}]}, and its users: what an agent does.
export async function enrollComputer(lockbox, enrollmentToken, { name, volumes, users }) {
  const computer = { name, domain: 'contoso.example', os: 'Windows 11 Pro',
                     hardware_ids: [`serial:${name}`] };
  const enrolled = await lockbox.client().call('POST', '/agent/enroll',
                                               { enrollment_token: enrollmentToken, computer });
  const agent = lockbox.client(enrolled.credential);
  const report = {
    computer: { id: enrolled.computer_id, ...computer },
    volumes: volumes.map((v) => ({
      id: v.id, drive_letter: v.letter, type: v.type, description: `${name} ${v.letter} 2024-01-15`,
      encryption_method: 'XTS-AES 128', protection: 'on', conversion: 'encrypted',
      protectors: [...(v.type === 'os' ? [{ id: randomUUID(), type: 'tpm' }] : []),
                   ...v.keys.map((k) => ({ id: k.key_id, type: 'recovery_password' }))],
    })),
    recovery_passwords: volumes.flatMap((v) => v.keys.map((k) => ({
      key_id: k.key_id, volume_id: v.id, password: k.password,
      created_at: '2024-01-15T08:00:00Z',
    }))),
    users,
  };
  const sendReport = () => agent.call('POST', '/agent/report', report);
  await sendReport();
  // The computer's ID, and its agent's next report (the same again): its answer says what to
  // rotate.
  return { id: enrolled.computer_id, report: sendReport };
}
