// Hostile candidate: DriverEntry returns a string instead of an NTSTATUS
import { hostile } from './wrap';

export default hostile((_k, entry) => (driver, path) => String(entry(driver, path)) as unknown as number);
