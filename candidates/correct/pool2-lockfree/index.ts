/**
 * pool2-lockfree: a NetDMA provider that allocates only with ExAllocatePool2, claims channel slots
 * with InterlockedCompareExchange instead of holding a spin lock, bounds every wait on the engine
 * with KeQueryInterruptTime, and queues one DPC per channel from its ISR. See DESIGN.md.
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { createDriver } from './driver';

const load: DriverImageLoader = (k) => createDriver(k);
export default load;
