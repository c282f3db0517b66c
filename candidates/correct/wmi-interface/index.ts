/**
 * wmi-interface: a NetDMA provider with a device interface, WMI registration and its own
 * CREATE / CLOSE / CLEANUP / DEVICE_CONTROL / SYSTEM_CONTROL routines (see DESIGN.md). Its default
 * export is a {@link DriverImageLoader}.
 */
import type { DriverImageLoader } from '../../../src/candidate-api';
import { createWmiInterfaceDriver } from './driver';

const load: DriverImageLoader = (k) => createWmiInterfaceDriver(k);
export default load;
