/**
 * Faulty providers whose bug shows only after a long chain of IRPs (issue 13): the reference
 * provider with a piece of state that drifts across rebalances, so that the first starts are right
 * and a later one is not. Short generated runs seldom get there; the long tail of the lifecycle
 * generator (properties/lifecycle/commands.ts) does.
 *
 * @module
 */
import type { DRIVER_INITIALIZE, KernelServices, NET_DMA_PROVIDER_HANDLE } from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';
import type { Mutation } from '../../src/reference/mutations';

/** The retry budget AddDevice sets (the number of NetDmaProviderStart calls the bug lets through). */
const START_BUDGET = 2;

/**
 * 'rebalance-start-count-drift': the reference, with a per-provider "start attempts left" budget
 * meant to stop retrying a START that keeps failing: AddDevice sets it to two, and the driver
 * decrements it at every NetDmaProviderStart — successful starts included — and never resets it
 * when a rebalance stops and restarts the device. The third START of a device (after two
 * rebalances) finds the budget spent: it skips NetDmaProviderStart and still completes the START
 * with STATUS_SUCCESS, so NetDMA never learns the engine is back (PNP-START-03).
 */
export function createStartCountDrift(k: KernelServices, mutations: ReadonlySet<Mutation>): DRIVER_INITIALIZE {
  const startsLeft = new Map<NET_DMA_PROVIDER_HANDLE, number>();
  const services: KernelServices = {
    ...k,
    NetDmaProviderStart: (NetDmaProviderHandle, ProviderAttributes) => {
      const left = startsLeft.get(NetDmaProviderHandle) ?? START_BUDGET;
      startsLeft.set(NetDmaProviderHandle, left - 1);
      if (left <= 0) return; // the bug: "out of start attempts", and the START goes on as a success
      k.NetDmaProviderStart(NetDmaProviderHandle, ProviderAttributes);
    },
  };
  return createReferenceDriver(services, mutations);
}
