import { timingSafeEqual } from "node:crypto";
import { HttpError } from "./errors.ts";

/** How to enable writes, quoted by the 403 that a server without a token answers. */
export const HOW_TO_SET_TOKEN =
  'start the server with --token <secret>, set VPO_TOKEN, or put token = "<secret>" under [server] in config.toml';

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|\[::1\]|localhost|::ffff:127(\.\d{1,3}){3})$/i;

/** True for hosts only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.trim());
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What a client is told to send (RFC 6750): with a 401, always. */
const CHALLENGE = 'Bearer realm="vpo"';

/**
 * Checks a write request: 403 when the server has no token (writes are disabled), 401 (with a
 * WWW-Authenticate challenge) when `Authorization: Bearer <token>` is missing or wrong.
 */
export function authorizeWrite(request: Request, token: string | null): void {
  if (!token) {
    throw new HttpError(403, "WRITES_DISABLED", `Writes are disabled because no API token is configured; ${HOW_TO_SET_TOKEN}`);
  }
  const header = request.headers.get("authorization");
  if (!header) {
    throw new HttpError(401, "UNAUTHORIZED", 'Missing "Authorization: Bearer <token>" header', undefined, { "www-authenticate": CHALLENGE });
  }
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match || !sameSecret(match[1]!, token)) {
    throw new HttpError(401, "UNAUTHORIZED", "Invalid API token", undefined, { "www-authenticate": `${CHALLENGE}, error="invalid_token"` });
  }
}

/** Methods that change something: every one of them, on every route, needs the token. */
const WRITES: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The one guard over every write route, as Hono's bearer-auth middleware is: it runs first, before
 * routing and before a body is read, so no write route can forget it. Reads never need a token.
 */
export function guardWrites(request: Request, token: string | null): void {
  if (WRITES.has(request.method)) authorizeWrite(request, token);
}
