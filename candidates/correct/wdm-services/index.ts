/**
 * wdm-services — a correct NetDMA provider by the suite's authors: the reference provider plus the
 * kernel services a WDM function driver uses around it (a remove lock per IRP, a watchdog timer and
 * DPC, ExAllocatePool2, a device interface, WMI registration, Interlocked counts). See driver.ts.
 *
 * @module
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { createServicesDriver } from './driver';

const load: DriverImageLoader = (k) => createServicesDriver(k);
export default load;
