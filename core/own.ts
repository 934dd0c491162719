/**
 * Safe writes into plain objects built from peer input.
 *
 * @module
 */

/**
 * Sets `obj[key] = value` as an own, enumerable property, also for the key
 * `__proto__` (a plain assignment would change the prototype instead), so objects
 * built from query strings, cookies or header parameters hold exactly what came in.
 */
export function setOwn<T>(obj: Record<string, T>, key: string, value: NoInfer<T>): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    obj[key] = value;
  }
}
