/**
 * wide-engine: a NetDMA provider for any I/OAT-class engine the machine presents — 1 to 16
 * channels, MSI-X, MSI (down to one shared message) or a line interrupt, descriptors and
 * completion words anywhere in 64-bit physical space, every channel command polled for its effect.
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { createDriver } from './driver';

/** Pool tag 'Wdma'. */
const TAG = 0x616d_6457;

const load: DriverImageLoader = (k) => createDriver(k, { poolTag: TAG, dma32: false, friendlyName: 'Wide I/OAT-class NetDMA provider' });
export default load;
