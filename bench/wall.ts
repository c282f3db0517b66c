/**
 * Figure 4: wall time of the default `netdma-conformance check` on the reference, and of the
 * faulty-provider self-test, each as a child process (median of 3, interleaved with a
 * baseline child: the CLI's bare start-up, `--version`, for the check; vitest running only the
 * bench's own small test file, for the self-test).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measurePairAsync } from './stats';
import type { PairSamples } from './stats';

/** Runs `cmd args` in `cwd`, returns its wall time in ms; rejects on a non-zero exit. */
export function timeChild(cmd: string, args: readonly string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

export interface WallFigure {
  readonly command: string;
  readonly baselineCommand: string;
  /** Milliseconds. */
  readonly samples: PairSamples;
}

/** The default check of the reference vs the CLI start-up. */
export async function benchCheck(root: string, rounds: number): Promise<WallFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'ndc-bench-'));
  try {
    const args = ['bin/netdma-conformance.mjs', 'check', '--quiet', '--report-dir', dir];
    const base = ['bin/netdma-conformance.mjs', '--version'];
    const samples = await measurePairAsync(rounds, () => timeChild(process.execPath, args, root), () => timeChild(process.execPath, base, root));
    return { command: `node ${args.slice(0, -1).join(' ')} <tmp>`, baselineCommand: `node ${base.join(' ')}`, samples };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The faulty-provider self-test (vitest child) vs vitest running the bench's own test file. */
export async function benchSelfTest(root: string, rounds: number): Promise<WallFigure> {
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const args = ['vitest', 'run', 'properties/lifecycle/lifecycle.test.ts'];
  const base = ['vitest', 'run', 'test/bench/stats.test.ts'];
  const samples = await measurePairAsync(rounds, () => timeChild(npx, args, root), () => timeChild(npx, base, root));
  return { command: `npx ${args.join(' ')}`, baselineCommand: `npx ${base.join(' ')}`, samples };
}
