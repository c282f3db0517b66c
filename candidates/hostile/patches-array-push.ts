// Hostile candidate: replaces Array.prototype.push (which would hide violations from a naive checker)
import { hostile } from './wrap';

export default hostile((_k, entry) => (driver, path) => {
  Array.prototype.push = function push() {
    return 0;
  };
  return entry(driver, path);
});
