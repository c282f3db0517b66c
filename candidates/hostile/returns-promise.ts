// Hostile candidate: the PnP dispatch routine is async (returns a Promise)
import { hostile } from './wrap';
import { IRP_MJ_PNP } from '../../src/candidate-api';

export default hostile((_k, entry) => (driver, path) => {
  const st = entry(driver, path);
  const pnp = driver.MajorFunction[IRP_MJ_PNP]!;
  driver.MajorFunction[IRP_MJ_PNP] = (async (d: Parameters<typeof pnp>[0], irp: Parameters<typeof pnp>[1]) => pnp(d, irp)) as unknown as typeof pnp;
  return st;
});
