/**
 * Issue 13's history checks: what a provider tells NetDMA is held to what the engine did. A
 * descriptor the engine has not completed (CDAR's, on an engine that runs ahead) is never reported
 * (NDMA-INT-01 at NetDmaIsr, NDMA-INT-03 at NetDmaInterruptDpc); a faulting one is never reported as
 * completed (NDMA-DP-18); a completion is reported once (NDMA-HIST-01); an abort leaves the Halted
 * completion word (NDMA-HIST-02). The reference keeps passing, reporting the same descriptor again
 * only after a new NetDmaIsr (the pending interrupt raised at re-arm).
 */
import { describe, expect, it } from 'vitest';
import { faulty } from '../../candidates/faulty/faulty';
import { checkDatapath } from '../../properties/datapath/property';
import reference from '../../src/reference';
import isrReportsFetched from '../fixtures/providers/isr-reports-fetched';

describe('history checks on what the provider reports', () => {
  for (const iv of ['1.1', '2.0'] as const) {
    it(`an ISR that reports the descriptor after CHANSTS's while the channel is active (CDAR on a prefetching engine) breaks NDMA-INT-01 (NetDMA ${iv})`, () => {
      const r = checkDatapath(isrReportsFetched, { interfaceVersion: iv, seed: 1, numRuns: 200, failFast: true });
      expect(r.failure?.harnessError ?? null).toBeNull();
      expect(r.failure?.violation?.ruleId).toBe('NDMA-INT-01');
      expect(r.failure?.violation?.message).toMatch(/which the channel has not completed/);
    });

    it(`a DPC that reports the faulting descriptor after its NULL breaks NDMA-DP-18, naming the error (NetDMA ${iv})`, () => {
      const r = checkDatapath(faulty('dp-dpc-null-then-faulting'), { interfaceVersion: iv, seed: 1, numRuns: 300, failFast: true });
      expect(r.failure?.violation?.ruleId).toBe('NDMA-DP-18');
      expect(r.failure?.violation?.message).toMatch(/halted on it with an error .* never completed it/);
    });

    it(`a DPC that reports one completion twice breaks NDMA-HIST-01 (NetDMA ${iv})`, () => {
      const r = checkDatapath(faulty('dp-dpc-reports-twice'), { interfaceVersion: iv, seed: 1, numRuns: 200, failFast: true });
      expect(r.failure?.violation?.ruleId).toBe('NDMA-HIST-01');
      expect(r.failure?.violation?.message).toMatch(/again with no NetDmaIsr in between/);
    });

    it(`an engine left without ERR_COMPLETION_EN writes no Halted word at ABORT: NDMA-HIST-02 (NetDMA ${iv})`, () => {
      const r = checkDatapath(faulty('chanctrl-no-halt-status'), { interfaceVersion: iv, seed: 1, numRuns: 200, failFast: true });
      expect(r.failure?.violation?.ruleId).toBe('NDMA-HIST-02');
      expect(r.failure?.violation?.message).toMatch(/ERR_COMPLETION_EN clear/);
    });

    it(`the reference exercises the history rules and breaks none (NetDMA ${iv})`, () => {
      const r = checkDatapath(reference, { interfaceVersion: iv, seed: 1, numRuns: 200 });
      expect(r.failure).toBeNull();
      for (const id of ['NDMA-HIST-01', 'NDMA-HIST-02', 'NDMA-DP-18'] as const) expect(r.exercised.get(id) ?? 0, id).toBeGreaterThan(0);
    });
  }
});
