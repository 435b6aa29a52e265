import { type ErrorCode, type FieldError, PROBLEM_CONTENT_TYPE, problem } from "@mpvstream/core";
import type { Response } from "express";

/**
 * An error that answers as one RFC 9457 problem: the central error handler turns it into the
 * response, with the status that goes with `code`.
 *
 * @example
 * ```ts
 * throw new HttpProblem("stream_not_found", `There is no stream "${id}".`);
 * ```
 */
export class HttpProblem extends Error {
  /** Always `"HttpProblem"`. */
  override readonly name = "HttpProblem";
  /** The API error code. */
  readonly code: ErrorCode;
  /** Field errors, for `validation_failed`. */
  readonly errors: readonly FieldError[] | undefined;
  /** Extra response headers (`Retry-After`, `WWW-Authenticate`). */
  readonly headers: Readonly<Record<string, string>>;

  /** Creates a problem with a code, a sentence for `detail`, and optional field errors and headers. */
  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: readonly FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.code = code;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

/** Tells whether a value is an {@link HttpProblem}. */
export function isHttpProblem(value: unknown): value is HttpProblem {
  return (
    value instanceof Error && value.name === "HttpProblem" && typeof (value as HttpProblem).code === "string"
  );
}

/** Sends a problem response for an {@link HttpProblem}. */
export function sendProblem(res: Response, error: HttpProblem): void {
  const body = problem(error.code, error.message, error.errors);
  res.status(body.status).set(error.headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}
