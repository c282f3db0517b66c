/**
 * Kernel state carried by a driver-visible object without a property the driver can see.
 *
 * Some WDK objects expose a field the system computes (`DRIVER_OBJECT.DeviceObject`,
 * `DEVICE_OBJECT.StackSize`, the RegistryPath buffer that dies with DriverEntry): the simulated
 * kernel serves them as accessors. A getter closure per object would capture the run's machine,
 * and V8 allocates the accessor pair holding it in the old generation, so every run's whole object
 * graph would survive young collections until the next full GC. Instead each such accessor is one
 * shared function that finds its state through `this`, and the state is stamped on the object as a
 * private field: invisible to `Reflect.ownKeys`, proxies and `JSON`, and the object keeps
 * `Object.prototype`.
 *
 * @module
 */

/** A base class whose constructor returns the object it is given, so a subclass stamps fields on it. */
class Returning {
  constructor(o: object) {
    return o;
  }
}

/** The stamp: one private field. */
class Hidden extends Returning {
  readonly #state: unknown;

  private constructor(o: object, state: unknown) {
    super(o);
    this.#state = state;
  }

  static stamp(o: object, state: unknown): void {
    new Hidden(o, state);
  }

  static read(o: unknown): unknown {
    return typeof o === 'object' && o !== null && #state in o ? (o as Hidden).#state : undefined;
  }
}

/** Attaches `state` to `o` (once per object), for {@link hiddenState}. */
export function hide<T>(o: object, state: T): void {
  Hidden.stamp(o, state);
}

/** The state {@link hide} attached to `o`, or undefined when `o` carries none. */
export function hiddenState<T>(o: unknown): T | undefined {
  return Hidden.read(o) as T | undefined;
}

/**
 * The descriptor of the accessor property `name` of `literal` (enumerable and configurable, as an
 * object literal defines it), to define the same accessor, with the same functions, on many objects.
 */
export function accessorOf(literal: object, name: string): PropertyDescriptor {
  const d = Object.getOwnPropertyDescriptor(literal, name);
  if (d === undefined || (d.get === undefined && d.set === undefined)) throw new Error(`${name} is not an accessor of the literal`);
  return d;
}
