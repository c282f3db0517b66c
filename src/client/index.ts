/**
 * The NetDMA client: the test's side of the NetDMA contract (what tcpip.sys does through NetDMA).
 * It allocates and frees channels on started providers, builds copy workloads and descriptor
 * chains, and judges every copy. It sits above the simulated kernel (it plugs into a `Machine` as
 * its `NetDmaClientPort`) and below the properties that drive it.
 *
 * @module
 */
import { Machine, type MachineOptions } from '../kernel/machine/machine';
import { NetDmaClient } from './netdma-client';

export { NetDmaClient } from './netdma-client';
export { ClientDataPath, DpChannel, type ClientFault } from './client-datapath';
export { Arena, GUARD, concat, controlFlags, type CopySpec } from './client-chain';
export type { ChannelHandlerRunner, ClientMachine } from './channel-handler-runner';

/** A machine with this suite's NetDMA client plugged in. */
export function machineWithClient(opts: Omit<MachineOptions<NetDmaClient>, 'client'>): Machine<NetDmaClient> {
  return new Machine<NetDmaClient>({ ...opts, client: (m) => new NetDmaClient(m) });
}
