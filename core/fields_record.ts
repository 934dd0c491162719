/**
 * Header fields as a plain record, made once per `Fields`: a head received
 * again byte for byte shares the first one's `Fields`, so a server answering a
 * client that polls, or a client polling a server, makes the record once and
 * hands out copies.
 *
 * @module
 */
import type { Fields } from "./protocol/mod.ts";

const records = new WeakMap<Fields, Readonly<Record<string, string>>>();

/**
 * `fields.toObject()` (lowercase names, repeats joined with `", "`), a new copy
 * each time: changing it changes nothing else.
 *
 * @param fields The fields.
 * @returns A new record.
 *
 * @example
 * ```ts
 * import { Fields } from "./protocol/mod.ts";
 * import { fieldsRecord } from "./fields_record.ts";
 * console.log(fieldsRecord(new Fields({ Accept: "text/html" }))); // { accept: "text/html" }
 * ```
 */
export function fieldsRecord(fields: Fields): Record<string, string> {
  let record = records.get(fields);
  if (record === undefined) {
    record = fields.toObject();
    records.set(fields, record);
  }
  return { ...record };
}
