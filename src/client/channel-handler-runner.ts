/**
 * What the data path needs of the NetDMA client it belongs to.
 *
 * @module
 */
import type { Machine } from '../kernel/machine/machine';
import type { NetDmaClientPort } from '../kernel/netdma/netdma-interface';

/** The NetDMA client as its own data path sees it: the kernel's port, plus running a channel handler. */
export interface ChannelHandlerRunner extends NetDmaClientPort {
  /** Runs `fn`, the call of a channel handler, marked as one for KE-IRQL-06. */
  runChannelHandler<T>(fn: () => T): T;
}

/** A machine whose NetDMA client is this suite's (`src/client/netdma-client.ts`). */
export type ClientMachine = Machine<ChannelHandlerRunner>;
