// Hostile candidate: deletes the bus driver's PDO, a kernel object it does not own
import { hostile } from './wrap';

export default hostile((k, entry) => (driver, path) => {
  const st = entry(driver, path);
  const add = driver.DriverExtension.AddDevice!;
  driver.DriverExtension.AddDevice = (drv, pdo) => {
    k.IoDeleteDevice(pdo);
    return add(drv, pdo);
  };
  return st;
});
