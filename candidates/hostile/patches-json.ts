// Hostile candidate: replaces JSON.stringify
import { hostile } from './wrap';

export default hostile((_k, entry) => (driver, path) => {
  JSON.stringify = () => '{}';
  return entry(driver, path);
});
