/**
 * The objects a driver keeps in a piece of its storage (a device extension): what goes away with
 * it when the storage is freed. Used by the IoDeleteDevice audits (a timer still set, a remove lock
 * still held, in the extension being freed), as Driver Verifier checks freed pool for live kernel
 * objects.
 *
 * @module
 */

/**
 * Objects reachable from `root` through own data properties (getters are never called), arrays, Maps and Sets, at most
 * `depth` links deep and `limit` objects in all, not entering `stop` objects (other device objects,
 * whose storage is not freed with this one) nor typed arrays.
 */
export function reachableObjects(root: object, stop: (o: object) => boolean, depth = 4, limit = 5000): Set<object> {
  const seen = new Set<object>();
  let frontier: object[] = [root];
  for (let d = 0; d <= depth && frontier.length > 0 && seen.size < limit; d++) {
    const next: object[] = [];
    for (const o of frontier) {
      if (seen.has(o) || seen.size >= limit) continue;
      seen.add(o);
      if (ArrayBuffer.isView(o) || stop(o)) continue;
      const children: unknown[] = o instanceof Map ? [...o.keys(), ...o.values()] : o instanceof Set ? [...o] : dataValues(o);
      for (const c of children) if (typeof c === 'object' && c !== null && !seen.has(c)) next.push(c);
    }
    frontier = next;
  }
  return seen;
}

/** The values of `o`'s own data properties (accessors are skipped: reading them would run the driver's code). */
function dataValues(o: object): unknown[] {
  const out: unknown[] = [];
  const ds = Object.getOwnPropertyDescriptors(o);
  for (const k of Reflect.ownKeys(ds)) {
    const d = ds[k as keyof typeof ds] as PropertyDescriptor;
    if ('value' in d) out.push(d.value);
  }
  return out;
}
