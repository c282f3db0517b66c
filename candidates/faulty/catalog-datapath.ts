import type { FaultyEntry } from './catalog';

/** The faulty data-path providers (issue #3): each data-path rule family has at least one, DCA and power context loss included. */
export const FAULTY_DATAPATH: readonly FaultyEntry[] = [
  { name: 'dp-start-skips-null-head', bug: 'ProviderStartDma skips a leading NULL descriptor, so its completion is never written', expects: ['NDMA-DP-05', 'NDMA-DP-06', 'NDMA-DP-08', 'NDMA-DP-03'] },
  // When the descriptor the idle engine never reaches is a zero-length one, the oracle names
  // NDMA-DP-05 (a NULL/zero-length descriptor not processed); shrinking holds to the rule first seen.
  { name: 'dp-append-no-command', bug: '1.x ProviderAppendDma never writes CHANCMD APPEND, so an engine idle on the old tail never re-reads it', expects: ['NDMA-DP-07', 'NDMA-DP-05'], versions: ['1.0', '1.1'] },
  { name: 'dp-dmacount-miscounted', bug: '2.0 ProviderAppendDma adds DescriptorCount - 1 to DMACOUNT', expects: ['NDMA-DP-08', 'NDMA-DP-05'], versions: ['2.0'] },
  { name: 'dp-suspend-reports-head', bug: 'ProviderSuspendDma reports the head of the last Start/Append instead of the last processed descriptor', expects: ['NDMA-DP-09'] },
  { name: 'dp-abort-is-suspend', bug: 'ProviderAbortDma writes SUSPEND instead of ABORT', expects: ['NDMA-DP-12'] },
  { name: 'dp-reset-no-reset', bug: 'ProviderResetChannel only aborts, leaving counts, pointers and errors in place', expects: ['NDMA-DP-13'] },
  { name: 'dp-isr-stale-descriptor', bug: 'the ISR passes NetDmaIsr the descriptor it saw at the previous interrupt', expects: ['NDMA-INT-01'] },
  { name: 'dp-dpc-wrong-cpu', bug: 'the DPC is targeted at the interrupt\'s CPU instead of the one NetDmaIsr returned', expects: ['NDMA-INT-02'] },
  { name: 'dp-no-null-after-error', bug: 'after a channel error the DPC reports a descriptor instead of NULL', expects: ['NDMA-DP-18'] },
  { name: 'dp-dpc-null-when-idle', bug: 'the DPC calls NetDmaInterruptDpc with NULL when it finds the channel idle ("nothing left to report"), so the last completion of a batch is never reported', expects: ['NDMA-INT-03'] },
  { name: 'dp-no-rearm', bug: 'the DPC never re-arms the channel interrupt', expects: ['NDMA-INT-05'] },
  { name: 'dp-isr-resets-channel', bug: 'the ISR resets a channel it finds halted on an error (CHANCMD RESET) instead of leaving recovery to the DPC and ProviderResetChannel', expects: ['NDMA-INT-06'] },
  { name: 'dp-start-writes-user-context', bug: 'ProviderStartDma keeps its bookkeeping in the head descriptor\'s UserContext1', expects: ['NDMA-DP-19'] },
  { name: 'dp-flagless-gets-defaults', bug: 'ProviderStartDma and ProviderAppendDma read ControlFlags 0 as "the defaults" and set STATUS_UPDATE_ON_COMPLETION | INTERRUPT_ON_COMPLETION on such descriptors', expects: ['NDMA-DP-20'] },
  { name: 'dp-max-transfer-exclusive', bug: 'ProviderStartDma and ProviderAppendDma take MaximumTransferSize as an exclusive bound and refuse a chain holding a descriptor of exactly that size', expects: ['NDMA-DP-16'] },
  { name: 'stop-masks-interrupts-first', bug: 'masks the engine\'s interrupts (INTRCTRL 0) before NetDmaProviderStop, which waits for the outstanding copies whose completions need them', expects: ['NDMA-INT-07'] },
  { name: 'dca-binds-current-cpu', bug: 'a DCA provider binds each channel\'s completion writes (DCACTRL) to the CPU running ProviderAllocateDmaChannel instead of CpuNumber', expects: ['NDMA-DCA-04'], versions: ['2.0'] },
  { name: 'dca-context-change-as-null', bug: 'a DCA provider\'s ProviderStartDma turns context-change descriptors into NULL transfers, so the engine never retargets its DCA hints', expects: ['NDMA-DCA-03', 'NDMA-DCA-01'], versions: ['2.0'] },
  { name: 'power-no-reinit', bug: 'back in D0 the provider never re-programs the engine that lost its context in D3 (INTRCTRL, CHANCTRL, CHANCMP, DCACTRL)', expects: ['PWR-07', 'PWR-09', 'NDMA-INT-05'], versions: ['1.0', '1.1', '2.0'] }, // NDMA-INT-05 when no channel lived through the power cycle: INTRCTRL stays 0, so a channel allocated afterwards gets no interrupt
  // Issue 13, engine timing (candidates/faulty/engine-timing.ts): the engine of a data-path run draws a
  // RESET delay and a prefetch depth; these bugs show only when the draw is not 0.
  { name: 'eng-reset-no-poll', bug: 'the RESET wait tests the wrong CHANCMD bit, so every channel is programmed (CHANCTRL, CHANCMP, DCACTRL) and started while its RESET is still in progress', expects: ['NDMA-CHAN-10', 'PNP-START-04'] },
  { name: 'eng-append-skips-when-active', bug: '1.x ProviderAppendDma skips CHANCMD APPEND while CHANSTS says ACTIVE, so an engine that already fetched the old tail ends the chain there', expects: ['NDMA-DP-07', 'NDMA-DP-05', 'NDMA-DP-04'], versions: ['1.0', '1.1'] },
  // History (issue 13): what the provider tells NetDMA, held to what the engine did.
  { name: 'dp-dpc-reports-twice', bug: 'the DPC calls NetDmaInterruptDpc twice with the same descriptor ("in case the first raced with NetDMA\'s completion processing")', expects: ['NDMA-HIST-01'] },
  { name: 'dp-dpc-null-then-faulting', bug: 'after an error the DPC reports NULL, then also the descriptor the ISR saw in CHANSTS (the faulting one) "so NetDMA completes the copies before it"', expects: ['NDMA-DP-18'] },
  { name: 'chanctrl-no-halt-status', bug: 'the channel run value leaves CHANCTRL.ERR_COMPLETION_EN out, so an ABORT writes no NetDmaTransferStatusHalted completion word', expects: ['NDMA-HIST-02'] },
  // The machine drawn per run (issue 13): memory above 4 GiB, more than 4 channels.
  { name: 'machine-chancmp-ulong', bug: 'writes CHANCMP with WRITE_REGISTER_ULONG, as code written for memory below 4 GiB does: the completion address keeps its low 32 bits only', expects: ['NDMA-ADDR-01'] },
  { name: 'machine-chainaddr-ulong', bug: 'writes CHAINADDR with WRITE_REGISTER_ULONG (the descriptor pool was assumed to lie below 4 GiB): the engine fetches from the low 32 bits of the descriptor address', expects: ['NDMA-ADDR-02'] },
  { name: 'machine-isr-four-channels', bug: 'its ISR dispatch table has 4 entries (an engine has 4 channels): MSI-X messages 4 and up are not claimed and a shared interrupt\'s ATTNSTATUS is masked with 0xF, so completions on engine channels 4 and up are never reported', expects: ['NDMA-INT-05'] },
];
