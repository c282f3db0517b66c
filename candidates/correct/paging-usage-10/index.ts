/**
 * paging-usage-10: a NetDMA 1.0 provider that learns from IRP_MN_DEVICE_USAGE_NOTIFICATION that
 * it is in the paging path and only then vetoes QUERY_STOP / QUERY_REMOVE. See DESIGN.md.
 *
 * @module
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { createPagingUsageDriver } from './driver';

const load: DriverImageLoader = (k) => createPagingUsageDriver(k);
export default load;
