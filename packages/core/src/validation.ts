import type { z } from "zod";
import type { FieldError } from "./errors.js";

/** Object keys that can pollute prototypes when merged into another object. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Finds the first `__proto__`, `constructor` or `prototype` key anywhere in a parsed JSON value,
 * so that a body carrying one can be refused before it reaches any code.
 *
 * @returns the dotted path of the first such key, or `undefined` when there is none.
 * @example
 * ```ts
 * findForbiddenKey(JSON.parse('{"a":{"__proto__":{}}}')); // "a.__proto__"
 * ```
 */
export function findForbiddenKey(value: unknown, path = ""): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  for (const key of Object.keys(value)) {
    const here = path === "" ? key : `${path}.${key}`;
    if (FORBIDDEN_KEYS.has(key)) return here;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], here);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Turns a zod error into the `errors` list of a problem response: one entry per issue, with the
 * dotted path of the field and a sentence saying what is wrong.
 *
 * @example
 * ```ts
 * const result = LoginRequestSchema.safeParse({ email: 1 });
 * if (!result.success) problem("validation_failed", "Fix the fields listed.", fieldErrors(result.error));
 * ```
 */
export function fieldErrors(error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues.slice(0, 100)) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({ path: path === "" ? key : `${path}.${key}`, message: "unknown field" });
      }
    } else {
      out.push({ path, message: issue.message.slice(0, 1024) });
    }
  }
  return out;
}

/**
 * Summarizes field errors in one sentence for a problem's `detail`.
 *
 * @example
 * ```ts
 * describeFieldErrors([{ path: "email", message: "Invalid email" }]); // "email: Invalid email"
 * ```
 */
export function describeFieldErrors(errors: readonly FieldError[]): string {
  const parts = errors.slice(0, 5).map((e) => (e.path === "" ? e.message : `${e.path}: ${e.message}`));
  const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : "";
  return `${parts.join("; ")}${more}`;
}
