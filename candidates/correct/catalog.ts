/**
 * The correct providers: complete NetDMA providers written only against the candidate API and
 * independently of src/reference, each with a different design. The suite must accept every one
 * of them on every interface version; a rejection is a false positive of the suite (or a bug in
 * the provider, to be decided against FACTS.md).
 *
 * @module
 */
import type { DriverImageLoader } from '../../src/candidate-api';
import busyVetoCaps from './busy-veto-caps';
import interruptLock from './interrupt-lock';
import mandatoryOnly from './mandatory-only';
import pagingVeto10 from './paging-veto-10';
import pendedStart from './pended-start';
import stopAlways from './stop-always';
import surpriseTeardown from './surprise-teardown';

/** One correct provider. */
export interface CorrectEntry {
  /** Folder under candidates/correct/. */
  readonly name: string;
  readonly loader: DriverImageLoader;
  /** How it differs from the reference, in a line. */
  readonly differs: string;
}

export const CORRECT_PROVIDERS: readonly CorrectEntry[] = [
  {
    name: 'pended-start',
    loader: pendedStart,
    differs: 'pends START and every bottom-up IRP; START (and the engine restore after a power loss) finishes in a PASSIVE_LEVEL work item queued from the completion routine',
  },
  {
    name: 'interrupt-lock',
    loader: interruptLock,
    differs: 'channel slots guarded by the interrupt spin lock (KeSynchronizeExecution), table-driven PnP dispatch; the engine is re-programmed in the D0 completion routine under that lock',
  },
  {
    name: 'mandatory-only',
    loader: mandatoryOnly,
    differs: 'only Allocate/Free/Start/Append (Suspend/Resume/Abort/Reset NULL), highest interface version, 2 channels, 64 KiB transfers; re-binds live channels as at allocation after a power loss',
  },
  {
    name: 'stop-always',
    loader: stopAlways,
    differs: 'calls NetDmaProviderStop before every NetDmaDeregisterProvider, also for a provider that never started (REMOVE before START, after a failed START); own engine code, slot array under a spin lock (issue 12, A13)',
  },
  {
    name: 'surprise-teardown',
    loader: surpriseTeardown,
    differs: 'does all NetDMA and hardware clean-up in SURPRISE_REMOVAL (NetDmaProviderStop, release, NetDmaDeregisterProvider); the REMOVE that follows only frees, detaches and deletes (issue 12, A13)',
  },
  {
    name: 'busy-veto-caps',
    loader: busyVetoCaps,
    differs: 'refuses QUERY_STOP and QUERY_REMOVE while a channel is allocated; handles QUERY_CAPABILITIES on the way up with a completion routine that returns the IRP\'s own status (issue 12: IRP-07, teardown after a refused QUERY_REMOVE)',
  },
  {
    name: 'paging-veto-10',
    loader: pagingVeto10,
    differs: 'a NetDMA 1.0 provider on every interface version, in the paging path: fails every QUERY_STOP and QUERY_REMOVE while started (F108, F111), so it leaves only by surprise removal (issue 12: teardown after a refused QUERY_REMOVE)',
  },
];
