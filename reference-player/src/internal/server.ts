import { usage } from "./exit.js";

/** The server used when nothing names one: what `npm start` of the reference server listens on. */
export const DEFAULT_SERVER = "http://127.0.0.1:8080";

/**
 * Which server to talk to: `--server`, else `MPVSTREAM_SERVER`, else the one saved at login, else
 * {@link DEFAULT_SERVER}. Normalized to `scheme://host[:port][/prefix]` without a trailing slash.
 */
export function resolveServer(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  saved: string | undefined,
): string {
  const chosen = flag ?? (env.MPVSTREAM_SERVER || undefined) ?? saved ?? DEFAULT_SERVER;
  return normalizeServer(chosen);
}

/** Checks and normalizes a server address; a bare `host:port` gets `http://`. */
export function normalizeServer(value: string): string {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`"${value}" is not a server address (expected something like http://127.0.0.1:8080).`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usage(`"${value}" is not an http:// or https:// address.`);
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw usage(`"${value}": give the server as scheme://host:port, without credentials, query or fragment.`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
