import { createHash } from "node:crypto";
import { PROBLEM_CONTENT_TYPE, problem } from "@mpvstream/core";
import type { Request, Response } from "express";
import type { Queryable } from "../db/database.js";
import { isUniqueViolation } from "../store/rows.js";
import type { AppContext } from "./context.js";
import { HttpProblem, isHttpProblem } from "./problem.js";

const KEY = /^[\x21-\x7e]{1,255}$/;

/** The ledger's unique index on `idempotency_key`: at most one debit per user and key, ever. */
const LEDGER_KEY = "ledger_idempotency_key_key";

/** Writes the answer of a claimed key; pass it the transaction that moves the points. */
export type RecordAnswer = (tx: Queryable, status: number, body: unknown) => Promise<void>;

/** Answers that a retry with the same key may change are not kept: the retry runs again. */
const TRANSIENT = new Set([
  "rate_limited",
  "service_unavailable",
  "internal",
  "unauthorized",
  "invalid_token",
]);

/** JSON with sorted keys, so that the same body in another key order hashes the same. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
};

/**
 * Runs a points-moving request under `Idempotency-Key` (when the header is present): the same key
 * and body replay the first answer and move nothing; another body answers 422
 * `idempotency_key_reused`; a request still running answers 409 `idempotency_in_progress`.
 * `run` must call `record` inside the transaction that moves the points, so that the answer and
 * the debit commit together.
 */
export async function idempotent(
  ctx: AppContext,
  req: Request,
  res: Response,
  userId: string,
  run: (
    record: RecordAnswer | undefined,
    key: string | undefined,
  ) => Promise<{ status: number; body?: unknown }>,
): Promise<void> {
  const key = req.get("idempotency-key");
  if (key === undefined) {
    const { status, body } = await run(undefined, undefined);
    send(res, status, body);
    return;
  }
  if (!KEY.test(key)) {
    throw new HttpProblem("validation_failed", "Idempotency-Key must be 1 to 255 visible ASCII characters.", {
      errors: [{ path: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters" }],
    });
  }
  const hash = createHash("sha256")
    .update(`${req.method} ${req.path}\n${canonical(req.body)}`)
    .digest("base64url");
  const found = await ctx.idempotency.begin(userId, key, hash, ctx.clock());
  if (found.state === "mismatch") {
    throw new HttpProblem(
      "idempotency_key_reused",
      "This Idempotency-Key was used with a different request.",
    );
  }
  if (found.state === "in_progress") {
    throw new HttpProblem(
      "idempotency_in_progress",
      "A request with this Idempotency-Key is still running; retry soon.",
      {
        headers: { "Retry-After": "1" },
      },
    );
  }
  if (found.state === "done") {
    res.set("Idempotent-Replayed", "true");
    send(res, found.status, found.response);
    return;
  }
  const record: RecordAnswer = (tx, status, body) => ctx.idempotency.complete(tx, userId, key, status, body);
  try {
    const { status, body } = await run(record, key);
    send(res, status, body);
  } catch (error) {
    if (isUniqueViolation(error, LEDGER_KEY)) {
      // Another request with this key moved the points first: one that took the key over after
      // this one ran past IDEMPOTENCY_STALE_MS, or the one it was taken from. The ledger's unique
      // key stopped this one (its transaction rolled back); answer as a retry with the key would.
      const again = await ctx.idempotency.begin(userId, key, hash, ctx.clock());
      if (again.state === "done") {
        res.set("Idempotent-Replayed", "true");
        send(res, again.status, again.response);
        return;
      }
      throw new HttpProblem(
        "idempotency_in_progress",
        "Another request with this Idempotency-Key is finishing; retry soon.",
        { headers: { "Retry-After": "1" } },
      );
    }
    if (isHttpProblem(error) && !TRANSIENT.has(error.code)) {
      const body = problem(error.code, error.message, error.errors);
      await ctx.idempotency.complete(ctx.db, userId, key, body.status, body);
    } else {
      await ctx.idempotency.abandon(userId, key).catch(() => {});
    }
    throw error;
  }
}

function send(res: Response, status: number, body: unknown): void {
  if (body === undefined || body === null || status === 204) {
    res.status(status).end();
    return;
  }
  const isProblem = status >= 400 && typeof body === "object" && "code" in body;
  res
    .status(status)
    .type(isProblem ? PROBLEM_CONTENT_TYPE : "application/json")
    .send(JSON.stringify(body));
}
