import { HlsError } from "../errors.js";
import type { ByteRange, ExtraAttributes } from "./types.js";

/** One attribute as written: its raw value, and whether it was a quoted string. */
export interface RawAttribute {
  value: string;
  quoted: boolean;
}

const invalid = (message: string, line: string): never => {
  throw new HlsError("invalid_playlist", `${message}: ${line}`, { cause: { line } });
};

/** Parses `KEY=value,KEY="quoted, value"` into an ordered map. */
export function parseAttributes(text: string, line: string): Map<string, RawAttribute> {
  const out = new Map<string, RawAttribute>();
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    if (eq < 0) invalid("attribute without a value", line);
    const name = text.slice(i, eq).trim();
    if (!/^[A-Z0-9-]+$/.test(name)) invalid(`bad attribute name "${name}"`, line);
    let value: string;
    let quoted = false;
    if (text[eq + 1] === '"') {
      const close = text.indexOf('"', eq + 2);
      if (close < 0) invalid("unterminated quoted string", line);
      value = text.slice(eq + 2, close);
      quoted = true;
      i = close + 1;
    } else {
      const comma = text.indexOf(",", eq + 1);
      const end = comma < 0 ? text.length : comma;
      value = text.slice(eq + 1, end).trim();
      i = end;
    }
    out.set(name, { value, quoted });
    if (i < text.length) {
      if (text[i] !== ",") invalid("expected a comma between attributes", line);
      i += 1;
    }
  }
  return out;
}

/** A number attribute, or an `invalid_playlist` error. */
export function toNumber(raw: string, line: string): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) invalid(`not a number "${raw}"`, line);
  return value;
}

/** `1280x720`. */
export function toResolution(raw: string, line: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(raw);
  if (!match) return invalid(`bad resolution "${raw}"`, line);
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** `length[@offset]`. */
export function toByteRange(raw: string, line: string): ByteRange {
  const match = /^(\d+)(?:@(\d+))?$/.exec(raw.trim());
  if (!match) return invalid(`bad byte range "${raw}"`, line);
  const range: ByteRange = { length: Number(match[1]) };
  if (match[2] !== undefined) range.offset = Number(match[2]);
  return range;
}

/** Formats a byte range back. */
export function byteRangeText(range: ByteRange): string {
  return range.offset === undefined ? String(range.length) : `${range.length}@${range.offset}`;
}

/** The attributes not in `known`, kept as written (quotes included). */
export function extraOf(
  attributes: Map<string, RawAttribute>,
  known: readonly string[],
): ExtraAttributes | undefined {
  let extra: ExtraAttributes | undefined;
  for (const [name, { value, quoted }] of attributes) {
    if (known.includes(name)) continue;
    extra ??= {};
    extra[name] = quoted ? `"${value}"` : value;
  }
  return extra;
}

/** Builds an attribute list from `[name, value, quoted]` triples, skipping undefined values. */
export function attributeText(
  entries: ReadonlyArray<readonly [string, string | number | undefined, boolean]>,
  extra?: ExtraAttributes,
): string {
  const parts: string[] = [];
  for (const [name, value, quoted] of entries) {
    if (value === undefined) continue;
    parts.push(quoted ? `${name}="${value}"` : `${name}=${value}`);
  }
  for (const [name, value] of Object.entries(extra ?? {})) parts.push(`${name}=${value}`);
  return parts.join(",");
}
