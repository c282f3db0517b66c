// Hostile candidate: an endless loop in AddDevice
import { hostile } from './wrap';

export default hostile((_k, entry) => (driver, path) => {
  const st = entry(driver, path);
  driver.DriverExtension.AddDevice = () => {
    for (;;) {
      /* never returns */
    }
  };
  return st;
});
