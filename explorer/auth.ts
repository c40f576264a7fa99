/**
 * The explorer's access rule: on a loopback address it is open unless a token is set; on any other
 * address a token is required to start, and then every request must carry it — as
 * `Authorization: Bearer …`, the `nvp_token` cookie, or `?token=…` once (which sets the cookie).
 */
import { timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";

export const TOKEN_ENV = "NVP_SERVE_TOKEN";
export const TOKEN_COOKIE = "nvp_token";

export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1" || host === "[::1]";
}

/** Why the server may not start with this host and token, or undefined when it may. */
export function bindProblem(host: string, token: string | undefined): string | undefined {
  if (token !== undefined && token.length < 16) return "the token must be at least 16 characters";
  if (!isLoopback(host) && !token) return `binding to \`${host}\` (not loopback) needs --token or ${TOKEN_ENV}: anyone who can reach it could read the flows`;
  return undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

export interface AuthInput {
  authorization?: string | undefined;
  cookie?: string | undefined;
  queryToken?: string | undefined;
}

/** Does this request carry the token? (`fromQuery`: it came in the URL, so set the cookie.) */
export function checkToken(token: string, req: AuthInput): { ok: boolean; fromQuery: boolean } {
  const bearer = /^Bearer (.+)$/.exec(req.authorization ?? "")?.[1];
  if (bearer !== undefined && same(bearer, token)) return { ok: true, fromQuery: false };
  const c = cookie(req.cookie, TOKEN_COOKIE);
  if (c !== undefined && same(c, token)) return { ok: true, fromQuery: false };
  if (req.queryToken !== undefined && same(req.queryToken, token)) return { ok: true, fromQuery: true };
  return { ok: false, fromQuery: false };
}
