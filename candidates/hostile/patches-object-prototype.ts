// Hostile candidate: adds a property to Object.prototype
import { hostile } from './wrap';

export default hostile((_k, entry) => (driver, path) => {
  (Object.prototype as Record<string, unknown>)['owned'] = true;
  return entry(driver, path);
});
