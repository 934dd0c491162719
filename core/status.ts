/** Temporary placeholder (the helpers helper replaces this file). */
export const STATUS_TEXT: Readonly<Record<number, string>> = { 100: "Continue", 101: "Switching Protocols", 200: "OK", 204: "No Content", 304: "Not Modified", 400: "Bad Request", 404: "Not Found" };
export function reasonPhrase(status: number): string {
  return STATUS_TEXT[status] ?? "";
}
