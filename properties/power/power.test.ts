/**
 * The suite's power, checked in `npm test`: every faulty lifecycle provider is killed with a
 * declared rule and a counterexample no longer than its declared minimum + SHRINK_SLACK; every
 * declared minimum is reached by a hand-written witness; every faulty data-path provider is
 * rejected by the data-path property with a declared rule; every correct provider (written
 * independently of the reference) is accepted by both properties on every interface version.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CORRECT_PROVIDERS } from '../../candidates/correct/catalog';
import { FAULTY_LIFECYCLE } from '../../candidates/faulty/catalog';
import { FAULTY_DATAPATH } from '../../candidates/faulty/catalog-datapath';
import { faulty } from '../../candidates/faulty/faulty';
import { SEED } from '../seed';
import {
  ALL_VERSIONS,
  CORRECT_DATAPATH_RUNS,
  CORRECT_RUNS,
  FAULTY_RUNS,
  SHRINK_SLACK,
  measureCorrect,
  measureCorrectDatapath,
  measureFaulty,
  measureFaultyDatapath,
  type FaultyMeasurement,
} from './measure';
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
    // Not a bound the suite promises, a regression tripwire: today 99 of 162 are at the minimum.
    if (killed.length < faultyCases.length) return; // a failure above already names the problem
    expect(killed.filter((m) => m.excess === 0).length / killed.length).toBeGreaterThanOrEqual(0.5);
  });
});

/**
 * properties/datapath/datapath.test.ts already holds the data-path catalog on its default versions
 * (1.1 and 2.0, or the entry's own `versions`) with the same seed, budget and workload, and checks
 * the replay token besides. Those pairs are not run twice: this file runs the rest (1.0 for entries
 * without `versions`). Should that test change its pairs or budget (or the block move here), the
 * match below fails and this file runs the whole catalog itself: a change can duplicate work, never
 * leave a pair unchecked.
 */
const DATAPATH_TEST_DEFAULT_VERSIONS: readonly string[] = ['1.1', '2.0'];
const datapathTestHolds = (() => {
  const text = readFileSync(path.join(ROOT, 'properties', 'datapath', 'datapath.test.ts'), 'utf8');
  return FAULTY_RUNS === 300 && text.includes("FAULTY_DATAPATH.flatMap((e) => (e.versions ?? ['1.1', '2.0'])") && text.includes('{ interfaceVersion: iv, seed: SEED, numRuns: 300 })');
})();
const heldElsewhere = (version: string, versions: readonly string[] | undefined) => datapathTestHolds && (versions ?? DATAPATH_TEST_DEFAULT_VERSIONS).includes(version);
const datapathPairs = FAULTY_DATAPATH.flatMap((e) => (e.versions ?? ALL_VERSIONS).map((v) => [e.name, v, e] as const));
const datapathCases = datapathPairs.filter(([, v, e]) => !heldElsewhere(v, e.versions));

describe(`faulty data-path providers are rejected by the data-path property (${FAULTY_RUNS} runs per version, seed ${SEED})`, () => {
  it('says which pairs properties/datapath/datapath.test.ts holds instead', () => {
    const elsewhere = datapathPairs.length - datapathCases.length;
    console.info(`data-path catalog: ${datapathPairs.length} (provider, version) pairs; ${datapathCases.length} run here, ${elsewhere} held by properties/datapath/datapath.test.ts with the same seed and budget`);
    expect(datapathCases.length + elsewhere).toBe(datapathPairs.length);
  });
  it.each(datapathCases)('%s on NetDMA %s', (name, version, entry) => {
    const m = measureFaultyDatapath(entry, version, { seed: SEED, runs: FAULTY_RUNS });
    if (!m.killed) expect.fail(`survivor: faulty provider '${name}' passed ${m.runs} data-path runs on NetDMA ${version} (${entry.bug})${m.harnessError ? `; harness error: ${m.harnessError}` : ''}`);
    expect(entry.expects, `'${name}' was caught by ${m.ruleId}, which the catalog does not declare:\n  ${m.steps.join('\n  ')}\nreplay: ${m.replay}`).toContain(m.ruleId);
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

describe(`correct providers are accepted by the lifecycle property (${CORRECT_RUNS} runs per version, seed ${SEED})`, () => {
  const cases = CORRECT_PROVIDERS.flatMap((c) => ALL_VERSIONS.map((v) => [c.name, v, c] as const));
  it.each(cases)('%s on NetDMA %s', (name, version, entry) => {
    const m = measureCorrect(entry, version, { seed: SEED, runs: CORRECT_RUNS });
    if (!m.accepted) {
      expect.fail(`false positive: correct provider '${name}' rejected on NetDMA ${version} with ${m.ruleId ?? `harness error ${m.harnessError}`}:\n  ${m.steps.join('\n  ')}\nreplay: ${m.replay}`);
    }
    expect(m.runs).toBe(CORRECT_RUNS);
  });
});

describe(`correct providers are accepted by the data-path property (${CORRECT_DATAPATH_RUNS} runs per version, seed ${SEED})`, () => {
  // Copies, chains, faults and PnP/power with copies in flight: a correct provider re-programs the
  // engine that lost its context in D3 before NetDMA restarts its channels (PWR-07, PWR-09).
  const cases = CORRECT_PROVIDERS.flatMap((c) => ALL_VERSIONS.map((v) => [c.name, v, c] as const));
  it.each(cases)('%s on NetDMA %s', (name, version, entry) => {
    const m = measureCorrectDatapath(entry, version, { seed: SEED, runs: CORRECT_DATAPATH_RUNS });
    if (!m.accepted) {
      expect.fail(`false positive: correct provider '${name}' rejected by the data path on NetDMA ${version} with ${m.ruleId ?? `harness error ${m.harnessError}`}:\n  ${m.steps.join('\n  ')}\nreplay: ${m.replay}`);
    }
    expect(m.runs).toBe(CORRECT_DATAPATH_RUNS);
  });
});
