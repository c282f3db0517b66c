/**
 * The suite's power, checked in `npm test`: every faulty lifecycle provider is killed with a
 * declared rule and a counterexample no longer than its declared minimum + SHRINK_SLACK; every
 * declared minimum is reached by a hand-written witness; every correct provider (written
 * independently of the reference) is accepted on every interface version.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CORRECT_PROVIDERS } from '../../candidates/correct/catalog';
import { FAULTY_LIFECYCLE } from '../../candidates/faulty/catalog';
import { faulty } from '../../candidates/faulty/faulty';
import { SEED } from '../seed';
import { ALL_VERSIONS, CORRECT_RUNS, FAULTY_RUNS, SHRINK_SLACK, measureCorrect, measureFaulty, type FaultyMeasurement } from './measure';
import { WITNESSES, runWitness } from './witnesses';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const faultyCases = FAULTY_LIFECYCLE.flatMap((e) => (e.versions ?? ALL_VERSIONS).map((v) => [e.name, v, e] as const));

describe(`faulty lifecycle providers are killed (${FAULTY_RUNS} runs per version, seed ${SEED})`, () => {
  const killed: FaultyMeasurement[] = [];
  it.each(faultyCases)('%s on NetDMA %s', (name, version, entry) => {
    const m = measureFaulty(entry, version, { seed: SEED, runs: FAULTY_RUNS });
    if (!m.killed) expect.fail(`survivor: faulty provider '${name}' passed ${m.runs} lifecycles on NetDMA ${version} (${entry.bug})${m.harnessError ? `; harness error: ${m.harnessError}` : ''}`);
    expect(entry.expects, `'${name}' was caught by ${m.ruleId}, which the catalog does not declare`).toContain(m.ruleId);
    expect(m.minimalSteps, `'${name}' declares no minimalSteps in candidates/faulty/catalog.ts`).not.toBeNull();
    expect(m.shrunkSteps!, `'${name}' on ${version}: the shrunk counterexample has ${m.shrunkSteps} steps, more than its minimum ${m.minimalSteps} + ${SHRINK_SLACK}:\n  ${m.steps.join('\n  ')}`)
      .toBeLessThanOrEqual(m.minimalSteps! + SHRINK_SLACK);
    killed.push(m);
  });
  it('shrinks to the declared minimum for most bugs', () => {
    // Not a bound the suite promises, a regression tripwire: today 93 of 150 are at the minimum.
    if (killed.length < faultyCases.length) return; // a failure above already names the problem
    expect(killed.filter((m) => m.excess === 0).length / killed.length).toBeGreaterThanOrEqual(0.5);
  });
  it('notes a data-path catalog, which this lifecycle test does not run', () => {
    const dp = path.join(ROOT, 'candidates', 'faulty', 'catalog-datapath.ts');
    if (existsSync(dp)) console.info('note: candidates/faulty/catalog-datapath.ts exists; its faulty providers belong to checkDatapath and are not run here');
    expect(true).toBe(true);
  });
});

describe('the declared minimal counterexamples are reachable', () => {
  it.each(faultyCases)('%s on NetDMA %s', (name, version, entry) => {
    const w = WITNESSES[name];
    if (!w) expect.fail(`no witness for '${name}' in properties/power/witnesses.ts`);
    const r = runWitness(faulty(name), w, version, entry.expects);
    expect(entry.expects, `the witness for '${name}' ended with ${r.ruleId ?? 'no violation'}:\n  ${r.steps.join('\n  ')}`).toContain(r.ruleId);
    expect(r.steps.length, `the witness for '${name}' took ${r.steps.length} steps, the catalog declares ${entry.minimalSteps}`).toBe(entry.minimalSteps);
  });
});

describe(`correct providers are accepted (${CORRECT_RUNS} runs per version, seed ${SEED})`, () => {
  const cases = CORRECT_PROVIDERS.flatMap((c) => ALL_VERSIONS.map((v) => [c.name, v, c] as const));
  it.each(cases)('%s on NetDMA %s', (name, version, entry) => {
    const m = measureCorrect(entry, version, { seed: SEED, runs: CORRECT_RUNS });
    if (!m.accepted) {
      expect.fail(`false positive: correct provider '${name}' rejected on NetDMA ${version} with ${m.ruleId ?? `harness error ${m.harnessError}`}:\n  ${m.steps.join('\n  ')}\nreplay: ${m.replay}`);
    }
    expect(m.runs).toBe(CORRECT_RUNS);
  });
});
