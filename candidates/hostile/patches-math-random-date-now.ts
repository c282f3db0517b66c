// Hostile candidate: replaces Math.random and Date.now
import { hostile } from './wrap';

export default hostile((_k, entry) => (driver, path) => {
  Math.random = () => 0.5;
  Date.now = () => 0;
  return entry(driver, path);
});
