/**
 * The shared runtime objects a candidate must leave alone (the simulation's PatchGuard): built-in
 * prototypes, the typed-array and Buffer methods the engine and oracle use, the sources of time and
 * randomness, JSON, Reflect, and process.exit.
 *
 * Everything this module itself uses is captured when it loads (before any candidate code runs), so
 * a candidate that patches `Array.prototype.push` or `Reflect.ownKeys` cannot blind the check.
 */
const ownKeys = Reflect.ownKeys;
const getDesc = Reflect.getOwnPropertyDescriptor;
const getProto = Object.getPrototypeOf;
const ObjectIs = Object.is;
const StringOf = String;

const WATCHED: ReadonlyArray<readonly [string, object]> = [
  ['Object', Object],
  ['Object.prototype', Object.prototype],
  ['Array', Array],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['Map.prototype', Map.prototype],
  ['Set.prototype', Set.prototype],
  ['WeakMap.prototype', WeakMap.prototype],
  ['WeakSet.prototype', WeakSet.prototype],
  ['Promise.prototype', Promise.prototype],
  ['String.prototype', String.prototype],
  ['Number.prototype', Number.prototype],
  ['BigInt.prototype', BigInt.prototype],
  ['Uint8Array.prototype', Uint8Array.prototype],
  ['TypedArray.prototype', getProto(Uint8Array.prototype) as object],
  ['DataView.prototype', DataView.prototype],
  ['ArrayBuffer.prototype', ArrayBuffer.prototype],
  ['Buffer', Buffer],
  ['Buffer.prototype', Buffer.prototype],
  ['Math', Math],
  ['Date', Date],
  ['JSON', JSON],
  ['Reflect', Reflect],
  ['Atomics', Atomics],
  ['Error', Error],
  ['Error.prototype', Error.prototype],
  ['process', process],
];
const PROCESS_WATCHED: ReadonlySet<PropertyKey> = new Set(['exit', 'reallyExit', 'abort', 'kill']);

/** Per watched object: its own keys and their descriptors, in plain arrays (no prototype methods needed to read them). */
export type GlobalsSnapshot = readonly (readonly [readonly PropertyKey[], readonly PropertyDescriptor[]])[];

function describe(o: object): readonly [PropertyKey[], PropertyDescriptor[]] {
  const keys = ownKeys(o);
  const descs: PropertyDescriptor[] = [];
  for (let i = 0; i < keys.length; i++) descs[i] = getDesc(o, keys[i]!)!;
  return [keys, descs];
}

/** Takes the snapshot (before the candidate is loaded). */
export function snapshotGlobals(): GlobalsSnapshot {
  const out: (readonly [PropertyKey[], PropertyDescriptor[]])[] = [];
  for (let i = 0; i < WATCHED.length; i++) out[i] = describe(WATCHED[i]![1]);
  return out;
}

const same = (a: PropertyDescriptor, b: PropertyDescriptor) =>
  ObjectIs(a.value, b.value) && a.get === b.get && a.set === b.set && a.writable === b.writable && a.configurable === b.configurable && a.enumerable === b.enumerable;

function indexOf(keys: readonly PropertyKey[], k: PropertyKey): number {
  for (let i = 0; i < keys.length; i++) if (keys[i] === k) return i;
  return -1;
}

/** Names of the watched properties that changed, were added or were removed since the snapshot. */
export function changedGlobals(before: GlobalsSnapshot): string[] {
  const out: string[] = [];
  const add = (s: string) => {
    out[out.length] = s;
  };
  for (let w = 0; w < WATCHED.length; w++) {
    const [name, obj] = WATCHED[w]!;
    const [wasKeys, wasDescs] = before[w]!;
    const [keys, descs] = describe(obj);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      // process.exitCode and other process fields change legitimately.
      if (name === 'process' && !PROCESS_WATCHED.has(k)) continue;
      const j = indexOf(wasKeys, k);
      if (j < 0) add(`${name}.${StringOf(k)} (added)`);
      else if (!same(wasDescs[j]!, descs[i]!)) add(`${name}.${StringOf(k)}`);
    }
    if (name === 'process') continue;
    for (let i = 0; i < wasKeys.length; i++) if (indexOf(keys, wasKeys[i]!) < 0) add(`${name}.${StringOf(wasKeys[i]!)} (deleted)`);
  }
  return out;
}
