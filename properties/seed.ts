/**
 * The seed every property test uses: `NETDMA_SEED` from the environment, or a fixed default, so a
 * run is reproducible and a failure names the seed that found it.
 */
export const SEED: number = (() => {
  const raw = process.env['NETDMA_SEED'];
  if (raw === undefined || raw === '') return 20261123;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`NETDMA_SEED must be an integer, got '${raw}'`);
  return n;
})();
