// Hostile candidate: allocates without limit in AddDevice
import { hostile } from './wrap';

export default hostile((_k, entry) => (driver, path) => {
  const st = entry(driver, path);
  const add = driver.DriverExtension.AddDevice!;
  driver.DriverExtension.AddDevice = (drv, pdo) => {
    const hoard: number[][] = [];
    for (;;) hoard.push(new Array<number>(1 << 20).fill(hoard.length));
    return add(drv, pdo);
  };
  return st;
});
