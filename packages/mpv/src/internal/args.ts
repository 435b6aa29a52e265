import { MpvError } from "../errors.js";

/** Options this package sets itself: passing them would break IPC or the start-up guarantees. */
const RESERVED = new Set(["input-ipc-server", "input-ipc-client", "idle", "input-file", "playlist"]);
const OPTION_NAME = /^[a-z0-9][a-z0-9-]*(?:\/[a-z0-9-]+)*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const CONTROL = /[\0\r\n]/;

/** The name of an mpv command-line option (`--no-foo=bar` -> `foo`). */
function optionName(arg: string): string {
  const body = arg.slice(2);
  const eq = body.indexOf("=");
  const name = eq < 0 ? body : body.slice(0, eq);
  return name.startsWith("no-") ? name.slice(3) : name;
}

/**
 * Checks user options for mpv's command line: each must be a `--option[=value]`; files and URLs
 * are refused (they belong in `loadfile`, not in argv that every user can read in `ps`), and so are
 * the options this package controls.
 */
export function validateArgs(args: readonly string[]): string[] {
  return args.map((arg) => {
    if (typeof arg !== "string" || !arg.startsWith("--") || arg === "--") {
      throw new MpvError(
        "invalid_option",
        "mpv arguments must be options like --vo=null; load files and URLs with loadfile()",
      );
    }
    if (CONTROL.test(arg)) throw new MpvError("invalid_option", "mpv option contains a control character");
    const name = optionName(arg);
    if (!OPTION_NAME.test(name)) throw new MpvError("invalid_option", `not an mpv option name: --${name}`);
    if (RESERVED.has(name)) {
      throw new MpvError("invalid_option", `--${name} is set by @mpvstream/mpv and cannot be passed`);
    }
    return arg;
  });
}

/**
 * Escapes one element of an mpv string-list option: `,` separates elements and `\,` is a literal
 * comma; no other backslash is special, so only an element ending in `\` cannot be expressed.
 */
function escapeListItem(value: string): string {
  return value.replace(/,/g, "\\,");
}

/**
 * Builds `loadfile`'s per-file options: user options checked, headers turned into the file-local
 * `http-header-fields` so that they reach this file's requests only.
 */
export function loadOptions(
  headers: Readonly<Record<string, string>> | undefined,
  options: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(options ?? {})) {
    if (!OPTION_NAME.test(name) || RESERVED.has(name)) {
      throw new MpvError("invalid_option", `not a per-file mpv option: ${name}`);
    }
    if (typeof value !== "string" || CONTROL.test(value)) {
      throw new MpvError("invalid_option", `per-file option ${name} must be a string without line breaks`);
    }
    out[name] = value;
  }
  const entries = Object.entries(headers ?? {});
  if (entries.length > 0) {
    if ("http-header-fields" in out) {
      throw new MpvError(
        "invalid_option",
        "pass headers either as headers or as http-header-fields, not both",
      );
    }
    out["http-header-fields"] = entries
      .map(([name, value]) => {
        if (!HEADER_NAME.test(name)) throw new MpvError("invalid_option", `not an HTTP header name: ${name}`);
        if (typeof value !== "string" || CONTROL.test(value) || value.endsWith("\\")) {
          throw new MpvError(
            "invalid_option",
            `header ${name} must be a string without line breaks or a final \\`,
          );
        }
        return escapeListItem(`${name}: ${value}`);
      })
      .join(",");
  }
  return out;
}
