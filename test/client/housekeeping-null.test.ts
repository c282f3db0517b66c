/**
 * NDMA-INT-03 and decision A5: NetDmaInterruptDpc(handle, NULL) with no error since the previous
 * DPC is a call "for reasons other than DMA completion" (netdma.h; DmaDescriptor is _In_opt_). It
 * is allowed, but it reports nothing: a completion that asked for an interrupt must still be
 * reported by address.
 */
import { describe, expect, it } from 'vitest';
import dpSpuriousDpc from '../../candidates/correct/dp-spurious-dpc';
import { faulty } from '../../candidates/faulty/faulty';
import { checkDatapath } from '../../properties/datapath/property';

describe('NetDmaInterruptDpc with NULL and no error (A5)', () => {
  for (const iv of ['1.1', '2.0'] as const) {
    it(`a DPC that makes housekeeping NULL calls and reports every completion by address breaks no NDMA-INT-03 (NetDMA ${iv})`, () => {
      const r = checkDatapath(dpSpuriousDpc, { interfaceVersion: iv, seed: 1, numRuns: 200, failFast: true });
      expect(r.failure?.harnessError ?? null).toBeNull();
      // The provider's NULL calls happen in these runs (the rule is exercised), and none is a violation.
      expect(r.failure?.violation?.ruleId).not.toBe('NDMA-INT-03');
    });

    it(`a DPC whose NULL hides the last completion of a batch breaks NDMA-INT-03 (NetDMA ${iv})`, () => {
      const r = checkDatapath(faulty('dp-dpc-null-when-idle'), { interfaceVersion: iv, seed: 1, numRuns: 200, failFast: true });
      expect(r.failure?.violation?.ruleId).toBe('NDMA-INT-03');
      expect(r.failure?.violation?.message).toMatch(/called NetDmaInterruptDpc with NULL although the channel had no error, and no later NetDmaInterruptDpc reported it/);
    });
  }
});
