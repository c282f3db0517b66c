// Hostile candidate: calls process.exit(0) from DriverEntry, hoping for a clean exit code
import { hostile } from './wrap';

export default hostile(() => () => {
  process.exit(0);
});
