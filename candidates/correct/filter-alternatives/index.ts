/**
 * filter-alternatives: a NetDMA provider whose IRP_MN_FILTER_RESOURCE_REQUIREMENTS handler targets
 * each MSI-X message at the CPU NetDMA asked for and adds a one-message fallback alternative list,
 * built in paged pool; it fails the IRP when it cannot build the list. See DESIGN.md.
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { createDriver } from './driver';

const load: DriverImageLoader = (k) => createDriver(k);
export default load;
