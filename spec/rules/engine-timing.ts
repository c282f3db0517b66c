/**
 * Engine-timing rules (issue 13): what a provider must respect because a real copy engine takes
 * time to carry out a command. See docs/engine.md, *Command timing*.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Engine-timing rules (family `channel`). */
export const ENGINE_TIMING_RULES = [
  // NDMA-CHAN-10 (issue 13): the documentation asks ProviderResetChannel to leave the channel in its
  // just-allocated state (F32) and a 1.0 provider to reinitialize the engine after D0 (F51); it says
  // nothing of registers. I/OAT silicon carries out CHANCMD RESET over time and reports it in progress
  // by the RESET bit of CHANCMD: Linux (drivers/dma/ioat/dma.c, ioat_reset_sync / ioat_reset_pending)
  // and FreeBSD (sys/dev/ioat/ioat.c, ioat_reset_hw) poll that bit before touching the channel again.
  // The simulated engine drops writes to a channel while its RESET is in progress (docs/engine.md);
  // a provider that programs or starts the channel then loses that programming. Checked on every
  // write the engine drops; exercised at every RESET that took time.
  {
    id: 'NDMA-CHAN-10',
    family: 'channel',
    level: 'DERIVED',
    statement:
      'The provider writes no register of an engine channel while a CHANCMD RESET it issued on that channel is still in progress, waiting until CHANCMD no longer reads RESET before it programs, starts or commands the channel again.',
    sources: {
      facts: ['F32', 'F51', 'F27a'],
      docs: ['conceptual/resetting-a-dma-channel.md', 'conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The documentation is silent on registers; I/OAT silicon carries out RESET over time (CHANCMD reads RESET until it is done) and Linux and FreeBSD poll that bit before touching the channel, so the suite drops writes made meanwhile and holds the provider to waiting, as both do.',
  },
] as const satisfies readonly RuleInput[];
