// Hostile candidate: an endless loop in DriverUnload
import { hostile } from './wrap';

export default hostile((_k, entry) => (driver, path) => {
  const st = entry(driver, path);
  driver.DriverUnload = () => {
    for (;;) {
      /* never returns */
    }
  };
  return st;
});
