import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The package as a driver team gets it: built, packed with npm, installed from the tarball into a
 * project of its own ("type": "module", a nodenext tsconfig), where a provider that imports
 * 'netdma-conformance' type-checks, `npx netdma-conformance check` passes it, and the project's own
 * `npm test` (vitest with netdma-conformance/vitest) is green on it and red on a copy with one bug.
 */

const ROOT = path.resolve(__dirname, '../..');
const RUNS = 30;

interface Ran {
  readonly code: number;
  readonly out: string;
}

/** Runs a command to its end; the exit code and stdout + stderr (no colors, none of this run's vitest or candidate variables). */
function run(cmd: string, args: readonly string[], cwd: string): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' };
  for (const [k, v] of Object.entries(process.env)) if (!/^(VITEST|NETDMA_|FORCE_COLOR|NO_COLOR|TEST$)/.test(k)) env[k] = v;
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}\n${stderr}` });
    });
  });
}

async function ok(cmd: string, args: readonly string[], cwd: string): Promise<string> {
  const r = await run(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.code}:\n${r.out}`);
  return r.out;
}

/** `npm pack --json`'s answer (npm may print lifecycle output before it). */
function packJson(out: string): { filename: string; files: { path: string }[] } {
  const start = out.indexOf('[');
  return (JSON.parse(out.slice(start, out.lastIndexOf(']') + 1)) as { filename: string; files: { path: string }[] }[])[0]!;
}

/** The reference provider as a team's own files: its imports of the candidate API become the package's. */
function copyReference(dir: string): void {
  const src = path.join(ROOT, 'src', 'reference');
  for (const name of readdirSync(src)) {
    const text = readFileSync(path.join(src, name), 'utf8')
      .replace(/from '\.\.\/candidate-api'/g, "from 'netdma-conformance'")
      // nodenext: relative imports name their file (tsx maps './driver.js' to driver.ts).
      .replace(/from '(\.\/[\w-]+)'/g, "from '$1.js'");
    writeFileSync(path.join(dir, name === 'index.ts' ? 'my-provider.ts' : name), text);
  }
}

// Each step spawns npm, tsc or a check: generous bounds for a shared, loaded machine.
describe('the packed package, installed in a driver team repository', { timeout: 300_000 }, () => {
  let work: string;
  let project: string;
  let files: string[];

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'netdma-pack-'));
    // dist/ from the current sources, then the tarball npm would publish.
    await ok(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], ROOT);
    const packed = packJson(await ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT));
    files = packed.files.map((f) => f.path);
    project = path.join(work, 'team-driver');
    mkdirSync(path.join(project, 'drivers'), { recursive: true });
    mkdirSync(path.join(project, 'test'));
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'team-driver', private: true, type: 'module', scripts: { test: 'vitest run' } }, null, 2));
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: false, types: [] }, include: ['drivers', 'test'] }, null, 2),
    );
    // The same sources as a bundler-based project sees them.
    writeFileSync(
      path.join(project, 'tsconfig.bundler.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'preserve', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ['drivers', 'test'] }, null, 2),
    );
    copyReference(path.join(project, 'drivers'));
    writeFileSync(
      path.join(project, 'test', 'conformance.test.ts'),
      `import { conformanceSuite } from 'netdma-conformance/vitest';\n\nconformanceSuite('./drivers/my-provider.ts', { runs: ${RUNS} });\n`,
    );
    // The test runner and compiler at the versions this repository locks, so npm's cache has them.
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const pinned = (name: string) => `${name}@${lock.packages[`node_modules/${name}`]!.version}`;
    await ok('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(work, packed.filename), pinned('vitest'), pinned('typescript')], project);
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the compiled suite, its declarations, the CLI and the rule catalog; no sources, tests or candidates', async () => {
    const dry = packJson(await ok('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], ROOT)).files.map((f) => f.path);
    expect(dry.sort()).toEqual([...files].sort());
    for (const f of ['package.json', 'README.md', 'bin/netdma-conformance.mjs', 'spec/RULES.md', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/vitest.js', 'dist/src/vitest.d.ts', 'dist/src/cli/main.js', 'dist/src/runner/isolation/worker-main.js', 'dist/src/reference/index.js']) {
      expect(dry).toContain(f);
    }
    const stray = dry.filter((f) => !/^(package\.json|README\.md|bin\/netdma-conformance\.mjs|spec\/RULES\.md)$/.test(f) && !/^dist\/(src|spec|properties)\/.+\.(js|d\.ts)$/.test(f));
    expect(stray).toEqual([]);
    expect(dry.filter((f) => /\.test\.|^dist\/candidates|^test\/|^candidates\//.test(f))).toEqual([]);
  });

  it('loads in plain Node: import("netdma-conformance") and its vitest entry, no TypeScript loader', async () => {
    const out = await ok(process.execPath, ['--input-type=module', '-e', "const m = await import('netdma-conformance'); console.log(typeof m.runCheck, m.RULES.length, m.STATUS_SUCCESS, typeof (await import('netdma-conformance/vitest')).conformanceSuite);"], project);
    expect(out.trim()).toMatch(/^function \d+ 0 function$/);
  });

  it('type-checks the provider and its test with tsc --noEmit under moduleResolution nodenext (declarations included)', async () => {
    const out = await run(process.execPath, [path.join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', project], project);
    expect(out.out.trim()).toBe('');
    expect(out.code).toBe(0);
  });

  it('type-checks them under moduleResolution bundler too', async () => {
    const out = await run(process.execPath, [path.join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', path.join(project, 'tsconfig.bundler.json')], project);
    expect(out.out.trim()).toBe('');
    expect(out.code).toBe(0);
  });

  it('npx netdma-conformance check ./drivers/my-provider.ts passes the provider (exit 0)', async () => {
    const r = await run('npx', ['--no', 'netdma-conformance', 'check', './drivers/my-provider.ts', '--runs', String(RUNS), '--report-dir', 'reports', '--format', 'json'], project);
    expect(r.out).toContain('CONFORMANT my-provider');
    expect(r.code).toBe(0);
  });

  it("the project's npm test is green on the provider and names it", async () => {
    const r = await run('npm', ['test'], project);
    expect(r.out).toContain('netdma-conformance: CONFORMANT my-provider (./drivers/my-provider.ts)');
    expect(r.out).toMatch(/Tests\s+6 passed/);
    expect(r.code).toBe(0);
  });

  it("the project's npm test is red on the provider with one bug: rule, source line, counterexample, replay command", async () => {
    const drivers = path.join(project, 'drivers');
    const hw = path.join(drivers, 'hardware.ts');
    const text = readFileSync(hw, 'utf8');
    const bug = text.replace('    k.NetDmaProviderStop(fdo.provider!);\n', '');
    expect(bug).not.toBe(text);
    writeFileSync(hw, bug);
    const r = await run('npm', ['test'], project);
    writeFileSync(hw, text);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('my-provider is nonconformant (PnP/IRP lifecycle on NetDMA 2.0)');
    expect(r.out).toMatch(/PNP-REM-02 \(MUST\): provider#1 is deregistered while started/);
    expect(r.out).toMatch(/at drivers\/[\w-]+\.ts:\d+:\d+ \(the candidate's call that broke the rule\)/);
    expect(r.out).toMatch(/shrunk counterexample \(\d+ steps/);
    expect(r.out).toMatch(/replay: npx netdma-conformance check \.\/drivers\/my-provider\.ts --replay ndc2\.\S+/);
    expect(r.out).toMatch(/Tests\s+6 failed/);
  });
});
