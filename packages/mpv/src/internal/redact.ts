const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
const HEADER_PATTERN =
  /\b(authorization|proxy-authorization|cookie|set-cookie|x-[a-z0-9-]*token[a-z0-9-]*)(\s*:\s*)[^\r\n,]+/gi;
const HIDDEN = "<redacted>";

/**
 * Hides a URL's capability parts: credentials, every path segment but the last, the query and fragment.
 * `https://user:pw@cdn/play/SESSION/index.m3u8?sig=X` becomes `https://cdn/…/index.m3u8?<redacted>`.
 */
export function redactUrl(text: string): string {
  const schemeEnd = text.indexOf("://");
  if (schemeEnd < 0) return text;
  const scheme = text.slice(0, schemeEnd);
  let rest = text.slice(schemeEnd + 3);
  const hostEnd = rest.search(/[/?#]/);
  let host = hostEnd < 0 ? rest : rest.slice(0, hostEnd);
  rest = hostEnd < 0 ? "" : rest.slice(hostEnd);
  const at = host.lastIndexOf("@");
  if (at >= 0) host = host.slice(at + 1);
  const queryStart = rest.search(/[?#]/);
  const pathPart = queryStart < 0 ? rest : rest.slice(0, queryStart);
  const segments = pathPart.split("/").filter((segment) => segment !== "");
  const last = segments.at(-1);
  let out = `${scheme}://${host}`;
  if (segments.length > 1) out += "/…";
  if (last !== undefined) out += `/${last}`;
  if (queryStart >= 0) out += `?${HIDDEN}`;
  return out;
}

/**
 * Removes secrets from text before it is logged: the values of headers this package set, URL
 * capabilities (see {@link redactUrl}) and well-known credential headers.
 */
export class Redactor {
  #secrets = new Set<string>();

  /** Registers a value that must never appear in logged text (short values are ignored). */
  add(secret: string): void {
    if (secret.length >= 4) this.#secrets.add(secret);
  }

  /** Returns the text with every known secret, URL capability and credential header hidden. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join(HIDDEN);
    out = out.replace(URL_PATTERN, (url) => redactUrl(url));
    return out.replace(HEADER_PATTERN, (_all, name: string, sep: string) => `${name}${sep}${HIDDEN}`);
  }
}
