import { describeFieldErrors, fieldErrors, findForbiddenKey } from "@mpvstream/core";
import type { Request } from "express";
import type { z } from "zod";
import { HttpProblem } from "./problem.js";

/**
 * Validates a request body against a (strict) core schema: refuses a missing or non-object body,
 * prototype-pollution keys and unknown fields with 400 `validation_failed` naming each bad field.
 */
export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const body: unknown = req.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    const hint = req.is("application/json") ? "" : " with Content-Type: application/json";
    throw new HttpProblem("validation_failed", `The body must be a JSON object${hint}.`, {
      errors: [{ path: "", message: "must be a JSON object" }],
    });
  }
  return parse(schema, body, "body");
}

/** Validates the query string against a core schema, like {@link parseBody}. */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parse(schema, { ...(req.query as Record<string, unknown>) }, "query");
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const forbidden = findForbiddenKey(value);
  if (forbidden !== undefined) {
    throw new HttpProblem("validation_failed", `The ${where} contains the forbidden key "${forbidden}".`, {
      errors: [{ path: forbidden, message: "forbidden key" }],
    });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = fieldErrors(result.error);
    throw new HttpProblem("validation_failed", `Invalid ${where}: ${describeFieldErrors(errors)}.`, {
      errors,
    });
  }
  return result.data;
}
