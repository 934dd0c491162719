/**
 * Address helpers shared by the backends.
 *
 * @module
 */

import type { Address } from "./types.ts";

const MAPPED_PREFIX = "::ffff:";

/**
 * Builds an {@linkcode Address}, reporting IPv4-mapped IPv6 addresses
 * (`::ffff:127.0.0.1`) as plain IPv4.
 *
 * @param hostname IP address as text
 * @param port port number
 * @returns the normalised address
 */
export function toAddress(hostname: string, port: number): Address {
  if (hostname.length > MAPPED_PREFIX.length && hostname.includes(".")) {
    const lower = hostname.toLowerCase();
    if (lower.startsWith(MAPPED_PREFIX)) hostname = hostname.slice(MAPPED_PREFIX.length);
  }
  return { hostname, port, family: hostname.includes(":") ? "IPv6" : "IPv4" };
}

/**
 * Removes the brackets of an IPv6 literal (`[::1]` -> `::1`).
 *
 * @param hostname host name, IP address, or bracketed IPv6 address
 * @returns the host name without brackets
 */
export function bareHostname(hostname: string): string {
  return hostname.length > 1 && hostname.charCodeAt(0) === 0x5b &&
      hostname.charCodeAt(hostname.length - 1) === 0x5d
    ? hostname.slice(1, -1)
    : hostname;
}

/**
 * Whether a host name is an IP literal (IPv4 dotted quad or IPv6 text), which
 * needs no resolving.
 *
 * @param hostname host name without brackets
 * @returns `true` for an IP address
 */
export function isIpLiteral(hostname: string): boolean {
  return hostname.includes(":") || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * An Error for a failed connect that names the address.
 *
 * @param hostname host that was dialled
 * @param port port that was dialled
 * @param cause what the runtime threw
 * @returns the error to reject with
 */
export function connectError(hostname: string, port: number, cause: unknown): Error {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const error = new Error(`Could not connect to "${host}:${port}": ${detail}`, { cause });
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string") (error as Error & { code?: string }).code = code;
  return error;
}

/**
 * An Error for a failed TLS handshake that names the address.
 *
 * @param hostname host that was dialled
 * @param port port that was dialled
 * @param cause what the runtime reported
 * @returns the error to reject with
 */
export function tlsError(hostname: string, port: number, cause: unknown): Error {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const error = new Error(`TLS handshake with "${host}:${port}" failed: ${detail}`, { cause });
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string") (error as Error & { code?: string }).code = code;
  return error;
}

/**
 * Converts anything thrown into an Error.
 *
 * @param e the thrown value
 * @returns `e` when it is an Error, else an Error with its text
 */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
