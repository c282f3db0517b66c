/**
 * dma32-engine: a NetDMA provider that limits its I/OAT-class engine to 32-bit DMA. It declares
 * MaximumAddressSpace 0xFFFFFFFF, keeps its own descriptor and completion memory below 4 GiB
 * (MmAllocateContiguousMemory, HighestAcceptableAddress 0xFFFFFFFF), programs the address
 * registers as two 32-bit halves (the high half written too, as zero) and refuses any address
 * above 4 GiB it is handed. Otherwise as complete as wide-engine: 1 to 16 channels, MSI-X, MSI or
 * a line interrupt, every command polled, every failure handled.
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
// The driver is wide-engine's code run in its 32-bit mode (the two folders held identical copies).
import { createDriver } from '../wide-engine/driver';

/** Pool tag 'D32d'. */
const TAG = 0x6432_3344;

const load: DriverImageLoader = (k) => createDriver(k, { poolTag: TAG, dma32: true, friendlyName: '32-bit I/OAT-class NetDMA provider' });
export default load;
