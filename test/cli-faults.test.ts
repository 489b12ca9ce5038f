/**
 * Bad input and faults: the command and the synth never crash with a stack trace and never
 * leave the user without their output folder (or with leftovers in the project).
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../src/cli/cdk8s-istio';
import { MAX_VALUES_BYTES } from '../src/cli/values';
import { STAGING_DIR, recoverInterruptedSwap } from '../src/output';
import { PROJECT_ROOT } from './shared';

const CLI = path.join(PROJECT_ROOT, 'lib', 'src', 'cli', 'cdk8s-istio.js');
const LIB_INDEX = path.join(PROJECT_ROOT, 'lib', 'src', 'index.js');

const SHOP = `exposedApplications:
  - name: shop
    namespace: { name: shop }
    hosts: [shop.example.com]
    tls: { credentialName: shop-tls }
    frontend: { name: web, port: 8080 }
`;

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-faults-'));
}

function cli(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = run(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

/** The compiled command in its own process, as a user runs it. */
function spawnCli(args: string[], options: SpawnSyncOptions = {}): { status: number | null; signal: NodeJS.Signals | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, ...options });
  return { status: r.status, signal: r.signal, stderr: String(r.stderr) };
}

/** No stack frame, no Node error dump: what a user should never see. */
function expectNoTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(text).not.toMatch(/node:internal|Node\.js v\d/);
}

function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) {
      out[f] = fs.readFileSync(p, 'utf8');
    }
  }
  return out;
}

describe('inputs that used to end in a stack trace are one clear line and exit non-zero', () => {
  const dir = tmp();
  const shop = path.join(dir, 'shop.yaml');
  fs.writeFileSync(shop, SHOP);

  test.each([
    ['a values file named constructor.yaml', () => {
      const f = path.join(dir, 'constructor.yaml');
      fs.writeFileSync(f, SHOP);
      return ['synth', '-f', f, '--stdout'];
    }, /^cannot name the chart after constructor\.yaml; pass --name NAME/],
    ['--name constructor', () => ['synth', '-f', shop, '--stdout', '--name', 'constructor'], /^--name constructor: the constructs library reserves that name/],
    ['--name \'\'', () => ['synth', '-f', shop, '--stdout', '--name', ''], /^--name : the name is empty/],
    ['a 300-character --name', () => ['synth', '-f', shop, '-o', path.join(dir, 'out'), '--name', 'a'.repeat(300)], /is longer than 63 characters/],
    ['--name ../x', () => ['synth', '-f', shop, '-o', path.join(dir, 'out'), '--name', '../x'], /^--name \.\.\/x: "\.\.\/x" is not a valid name/],
  ])('%s is a usage error (exit 2)', (_what, argv, message) => {
    const r = cli(...argv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(2); // the problem, and where the help is
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.') || f.includes('x.k8s'))).toEqual([]);
  });

  test.each([
    ['-f on a folder', () => dir, /: not a regular file \(a directory\); give a values file$/m],
    ['-f on /dev/zero', () => '/dev/zero', /^\/dev\/zero: not a regular file \(a device or socket\); give a values file$/m],
    ['a YAML alias bomb', () => {
      const f = path.join(dir, 'bomb.yaml');
      const level = (name: string, of: string) => `${name}: &${name} [${Array(9).fill(`*${of}`).join(', ')}]`;
      fs.writeFileSync(f, ['a: &a [x, x, x, x, x, x, x, x, x]', level('b', 'a'), level('c', 'b'), level('d', 'c'), 'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]', ''].join('\n'));
      return f;
    }, /bomb\.yaml:\d+:\d+: .*a values file may use at most 100 aliases/],
  ])('%s', (_what, file, message) => {
    const r = cli('synth', '-f', file(), '--name', 'x', '--stdout');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/1 problem\(s\); nothing was written\n$/);
    expect(r.stdout).toBe('');
  });

  test('a FIFO is refused without reading (it would hang)', () => {
    const fifo = path.join(dir, 'values.fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) {
      process.stderr.write('skipped: mkfifo is not available\n');
      return;
    }
    const r = spawnCli(['synth', '-f', fifo, '--name', 'x', '--stdout'], { timeout: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('values.fifo: not a regular file (a pipe); give a values file');
  });

  test('a values file over the documented limit is refused before it is parsed', () => {
    const big = path.join(dir, 'big.yaml');
    fs.writeFileSync(big, `x: [${'1,'.repeat(Math.ceil(MAX_VALUES_BYTES / 2))}1]\n`);
    const r = cli('synth', '-f', big, '--name', 'x', '--stdout');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/big\.yaml: 10\.0 MiB is more than the 10 MiB a values file may have; split it or trim it/);
    fs.rmSync(big);
  });

  test('a huge value is echoed shortened, not in full', () => {
    const f = path.join(dir, 'long-host.yaml');
    fs.writeFileSync(f, SHOP.replace('shop.example.com', `${'a'.repeat(5_000_000)}.example.com`));
    const r = cli('synth', '-f', f, '--stdout');
    expect(r.code).toBe(1);
    expect(r.stderr.length).toBeLessThan(2_000);
    expect(r.stderr).toMatch(/aaa…\(\d{7} characters\)/);
  });

  test('two backends with one name are the pattern\'s own error, at the values key', () => {
    const f = path.join(dir, 'twice.yaml');
    fs.writeFileSync(f, `${SHOP}    backends:\n      - { name: api, port: 9090, pathPrefix: api }\n      - { name: api, port: 9090, pathPrefix: v2 }\n`);
    const r = cli('synth', '-f', f, '--stdout');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/twice\.yaml:9:\d+: \[twice\/exposedApplications\[0\]\] backends\[1\]\.name: backends\[0\] is also called api/);
    expectNoTrace(r.stderr);
  });

  test('a name too long for the file system is an error naming the folder, and nothing is left behind', () => {
    const r = cli('synth', '-f', shop, '-o', path.join(dir, 'o'.repeat(300)));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cannot write .*: a file name is too long/);
    expect(r.stderr.length).toBeLessThan(600);
    expect(fs.existsSync(path.join(dir, STAGING_DIR))).toBe(false);
  });

  test('stdout on a full device is one line, exit 1', () => {
    if (!fs.existsSync('/dev/full')) {
      process.stderr.write('skipped: /dev/full does not exist here\n');
      return;
    }
    const full = fs.openSync('/dev/full', 'w');
    try {
      const r = spawnCli(['synth', '-f', shop, '--stdout'], { stdio: ['ignore', full, 'pipe'] });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('cannot write the YAML to stdout: no space left on the device\nnothing was written\n');
    } finally {
      fs.closeSync(full);
    }
  });
});

describe('the output folder survives every failure', () => {
  test('a read-only output folder: exit 1, the old output as it was, no stranded copies', () => {
    const dir = tmp();
    const shop = path.join(dir, 'shop.yaml');
    fs.writeFileSync(shop, SHOP);
    const out = path.join(dir, 'out');
    // Run as the folder's owner; as root permissions do not apply, so use an unprivileged user.
    const asUser: SpawnSyncOptions = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if (asUser.uid !== undefined) {
      fs.chownSync(dir, 65534, 65534);
      fs.chownSync(shop, 65534, 65534);
    }
    expect(spawnCli(['synth', '-f', shop, '-o', out], asUser).status).toBe(0);
    const before = listing(out);
    fs.chmodSync(out, 0o555);
    try {
      fs.writeFileSync(shop, SHOP.replace('shop.example.com', 'changed.example.com'));
      const r = spawnCli(['synth', '-f', shop, '-o', out], asUser);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^cannot write .*out: permission denied/);
      expectNoTrace(r.stderr);
      expect(listing(out)).toEqual(before);
      expect(fs.readdirSync(dir).sort()).toEqual(['out', 'shop.yaml']);
    } finally {
      fs.chmodSync(out, 0o755);
    }
  });

  test('a full disk: exit 1, the old output as it was', () => {
    const mnt = tmp();
    if (process.getuid?.() !== 0 || spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status !== 0) {
      process.stderr.write('skipped: a small tmpfs cannot be mounted here (needs root)\n');
      return;
    }
    try {
      const shop = path.join(mnt, 'shop.yaml');
      fs.writeFileSync(shop, SHOP);
      const out = path.join(mnt, 'out');
      expect(cli('synth', '-f', shop, '-o', out).code).toBe(0);
      const before = listing(out);
      // Fill the disk to the last block.
      const filler = fs.openSync(path.join(mnt, 'filler'), 'w');
      try {
        for (;;) {
          fs.writeSync(filler, Buffer.alloc(1024));
        }
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        fs.closeSync(filler);
      }
      const r = cli('synth', '-f', shop, '-o', out);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^cannot write .*out: no space left on the device/);
      expect(listing(out)).toEqual(before);
      expect(fs.readdirSync(mnt).sort()).toEqual(['filler', 'out', 'shop.yaml']);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });

  test('a swap interrupted between its two renames is repaired by the next run, even one that fails', () => {
    const dir = tmp();
    const shop = path.join(dir, 'shop.yaml');
    fs.writeFileSync(shop, SHOP);
    const out = path.join(dir, 'out');
    expect(cli('synth', '-f', shop, '-o', out).code).toBe(0);
    const before = listing(out);
    // What a run killed after `out → old` and before `new → out` leaves: no out/, both copies aside.
    const deadPid = 2 ** 22 + 12345;
    const staging = path.join(dir, STAGING_DIR);
    fs.mkdirSync(staging);
    fs.renameSync(out, path.join(staging, `out.old-${deadPid}-1`));
    fs.mkdirSync(path.join(staging, `out.new-${deadPid}-0`));
    fs.writeFileSync(path.join(staging, `out.new-${deadPid}-0`, 'half.k8s.yaml'), 'apiVersion: v1\nkind: Conf');
    fs.writeFileSync(shop, 'exposedApplications: 3\n');
    const r = cli('synth', '-f', shop, '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^restored .*out\/ from an interrupted synth\n.*shop\.yaml:1:1: exposedApplications: expected array/);
    expect(listing(out)).toEqual(before);
    expect(fs.readdirSync(dir).sort()).toEqual(['out', 'shop.yaml']);
  });

  test('recovery leaves a live run\'s staging alone and keeps an output that is in place', () => {
    const dir = tmp();
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'new.k8s.yaml'), 'new');
    const staging = path.join(dir, STAGING_DIR);
    fs.mkdirSync(staging);
    fs.mkdirSync(path.join(staging, `out.old-${2 ** 22 + 1}-0`));
    fs.mkdirSync(path.join(staging, `out.new-${process.pid}-99`));
    recoverInterruptedSwap(out);
    expect(fs.readdirSync(staging)).toEqual([`out.new-${process.pid}-99`]);
    expect(fs.readdirSync(out)).toEqual(['new.k8s.yaml']);
    fs.rmSync(staging, { recursive: true });
  });

  test('a synth killed while the app runs leaves dist/ as it was; the next run clears the staging', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'app.js'), `
      const fs = require('fs');
      const out = process.env.CDK8S_OUTDIR;
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(out + '/a.k8s.yaml', process.env.CONTENT);
      if (process.env.HANG) { fs.writeFileSync(${JSON.stringify(path.join(dir, 'started'))}, ''); setInterval(() => {}, 1000); }
    `);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: node app.js\noutput: dist\n');
    const synth = path.join(PROJECT_ROOT, 'lib', 'src', 'cli', 'synth.js');
    const ok = spawnSync(process.execPath, [synth], { cwd: dir, encoding: 'utf8', env: { ...process.env, CONTENT: 'first' } });
    expect(ok.status).toBe(0);
    // Killed (SIGKILL, no clean-up) while the app is still writing.
    const killed = spawnSync('bash', ['-c', `HANG=1 CONTENT=second ${JSON.stringify(process.execPath)} ${JSON.stringify(synth)} & pid=$!; ` +
      `for i in $(seq 100); do [ -f started ] && break; sleep 0.1; done; kill -9 $pid; wait $pid; pkill -9 -f "node app.js" || true`], { cwd: dir, encoding: 'utf8' });
    expect(killed.status).not.toBe(0);
    expect(fs.readFileSync(path.join(dir, 'dist', 'a.k8s.yaml'), 'utf8')).toBe('first');
    expect(fs.readdirSync(dir)).toContain(STAGING_DIR); // the killed run's staging, hidden and git-ignored
    const again = spawnSync(process.execPath, [synth], { cwd: dir, encoding: 'utf8', env: { ...process.env, CONTENT: 'third' } });
    expect(again.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'dist', 'a.k8s.yaml'), 'utf8')).toBe('third');
    expect(fs.readdirSync(dir).sort()).toEqual(['app.js', 'cdk8s.yaml', 'dist', 'started']);
  });

  test('the project ignores the staging folder', () => {
    expect(fs.readFileSync(path.join(PROJECT_ROOT, '.gitignore'), 'utf8').split('\n')).toContain(`${STAGING_DIR}/`);
  });
});

describe('a wrong prop, uncaught in a cdk8s app', () => {
  test('is one line naming the construct and the prop, exit 1, no stack trace or source line', () => {
    const dir = tmp();
    const app = path.join(dir, 'main.js');
    fs.writeFileSync(app, `
      const { IstioApp, IstioChart, KubernetesGateway, GatewayListener } = require(${JSON.stringify(LIB_INDEX)});
      const app = new IstioApp({ outdir: ${JSON.stringify(path.join(dir, 'out'))} });
      const gw = new KubernetesGateway(new IstioChart(app, 'infra', { namespace: 'infra' }), 'gw', { listeners: [GatewayListener.http()] });
      gw.listener('httpz');
      app.synth();
    `);
    const r = spawnSync(process.execPath, [app], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: [infra/gw] listeners: the Gateway has no listener httpz (listeners: http) (fix: add the listener first, or name one it has)\n');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });
});

describe('IstioApp.synth() with errors, uncaught in a cdk8s app', () => {
  test('prints the report once and exits 1, without a second dump or a stack trace', () => {
    const dir = tmp();
    const app = path.join(dir, 'main.js');
    fs.writeFileSync(app, `
      const { IstioApp, IstioChart } = require(${JSON.stringify(LIB_INDEX)});
      const { ApiObject } = require(${JSON.stringify(require.resolve('cdk8s'))});
      const app = new IstioApp({ outdir: ${JSON.stringify(path.join(dir, 'out'))} });
      const chart = new IstioChart(app, 'broken', { namespace: 'x' });
      new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace',
        metadata: { name: 'x', labels: { 'istio-injection': 'enabled', 'istio.io/rev': 'stable' } } });
      app.synth();
    `);
    const r = spawnSync(process.execPath, [app], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.match(/IST0123/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/^error IST0123 \[broken\/ns\] Namespace x metadata\.labels: /);
    expect(r.stderr).toMatch(/1 error\(s\), 0 warning\(s\), 0 info\n$/);
    expectNoTrace(r.stderr);
    expect(r.stderr).not.toContain('findings');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  test('caught, the error still carries every finding', () => {
    const dir = tmp();
    const app = path.join(dir, 'main.js');
    fs.writeFileSync(app, `
      const { IstioApp, IstioChart, ValidationError } = require(${JSON.stringify(LIB_INDEX)});
      const { ApiObject } = require(${JSON.stringify(require.resolve('cdk8s'))});
      const app = new IstioApp({ outdir: ${JSON.stringify(path.join(dir, 'out'))} });
      new ApiObject(new IstioChart(app, 'c', { namespace: 'x' }), 'ns', { apiVersion: 'v1', kind: 'Namespace',
        metadata: { name: 'x', labels: { 'istio-injection': 'enabled', 'istio.io/rev': 'stable' } } });
      try { app.synth(); } catch (e) {
        console.log(JSON.stringify({ isValidation: e instanceof ValidationError, codes: e.findings.map((f) => f.code), message: e.message }));
      }
      setTimeout(() => { throw new Error('later'); }, 10);
    `);
    const r = spawnSync(process.execPath, [app], { encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual({ isValidation: true, codes: ['IST0123'], message: 'synthesis stopped: 1 error(s), reported above; nothing was written' });
    // A later, unrelated uncaught error is Node's usual crash: nothing of ours swallows it.
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error: later');
  });
});
