/**
 * The length distribution of generated lifecycle runs and the lifecycle property's speed: the
 * inputs the default check draws (seed, runs) played against the reference provider, IRPs per run
 * counted from the run's steps (a system power transition counts as one step), then the property
 * itself timed on the same seed and runs.
 *
 * Usage: `npx tsx scripts/lifecycle-lengths.ts [--runs N] [--seed N] [--interface-version 2.0]`.
 */
import fc from 'fast-check';
import reference from '../src/reference';
import { lifecycleInputArb } from '../properties/lifecycle/commands';
import { runLifecycle } from '../properties/lifecycle/run-lifecycle';
import { checkLifecycle } from '../properties/lifecycle/property';
import type { InterfaceVersion } from '../src/kernel';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};
const runs = Number(arg('--runs', '1000'));
const seed = Number(arg('--seed', '20261123'));
const iv = arg('--interface-version', '2.0') as InterfaceVersion;

/** True for a step that is an IRP (or a system power transition) sent to a device. */
const isIrpStep = (s: string): boolean => /: (IRP_|system power)/.test(s) || s.startsWith('IRP_MJ_SHUTDOWN');

const lengths: number[] = [];
const histogram = new Map<number, number>();
for (const input of fc.sample(lifecycleInputArb, { seed, numRuns: runs })) {
  const r = runLifecycle(reference, input, { interfaceVersion: iv, recordTrace: false });
  const n = r.steps.filter(isIrpStep).length;
  lengths.push(n);
  const bucket = Math.floor(n / 10) * 10;
  histogram.set(bucket, (histogram.get(bucket) ?? 0) + 1);
}
lengths.sort((a, b) => a - b);
const q = (p: number): number => lengths[Math.min(lengths.length - 1, Math.floor(p * lengths.length))]!;
const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
const atLeast20 = lengths.filter((n) => n >= 20).length;
console.log(`IRPs per run over ${runs} runs (seed ${seed}, NetDMA ${iv}, reference): mean ${mean.toFixed(2)}, p50 ${q(0.5)}, p90 ${q(0.9)}, p99 ${q(0.99)}, max ${lengths[lengths.length - 1]}; runs with >= 20 IRPs: ${atLeast20}`);

// CPU time as well as wall time: on a shared machine the CPU time is the comparable number.
console.log(`histogram (IRPs: runs): ${[...histogram].sort((a, b) => a[0] - b[0]).map(([b, k]) => `${b}-${b + 9}: ${k}`).join(', ')}`);
const t0 = performance.now();
const c0 = process.cpuUsage();
const r = checkLifecycle(reference, { interfaceVersion: iv, seed, numRuns: runs });
const c = process.cpuUsage(c0);
const s = (performance.now() - t0) / 1000;
const cpu = (c.user + c.system) / 1e6;
console.log(`lifecycle property: ${r.numRuns} runs in ${s.toFixed(2)} s wall (${(r.numRuns / s).toFixed(0)} runs/s), ${cpu.toFixed(2)} s CPU (${(r.numRuns / cpu).toFixed(0)} runs/CPU-s)${r.failure ? ` (FAILED: ${r.failure.violation?.ruleId ?? r.failure.harnessError})` : ''}`);
