import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { AppContext } from "./context.js";
import { HttpProblem, isHttpProblem, sendProblem } from "./problem.js";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The route pattern of a request for logs and metrics: never the raw path, which may hold session ids. */
const routeOf = (req: Request): string => {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === "string") return `${req.baseUrl}${route}`;
  return req.path.startsWith("/play/") ? "/play/:session/*" : "unmatched";
};

/**
 * Middleware: gives each request an id (a safe incoming `X-Request-Id`, or a new one), echoes it,
 * and logs one line per request when it ends (method, route pattern, status, time): never the
 * query, headers or body, so tokens and passwords cannot reach the log.
 */
export function requestLog(ctx: AppContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get("x-request-id");
    const id = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.set("X-Request-Id", id);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      ctx.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      ctx.metrics.httpDuration.observe({ method: req.method, route }, seconds);
      if (route.startsWith("/playback/") && res.statusCode >= 400) {
        ctx.metrics.recordPlaybackError(String(res.locals.problemCode ?? res.statusCode));
      }
      if (req.path === "/healthz" || req.path === "/metrics") return;
      ctx.logger.info(
        { reqId: id, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 },
        "request",
      );
    });
    next();
  };
}

/** Middleware: the security headers every answer carries (a JSON API: nothing may frame, sniff or embed it). */
export function securityHeaders(publicUrl: () => string) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.set({
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "no-referrer",
      "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Cache-Control": "no-store",
    });
    if (publicUrl().startsWith("https:")) res.set("Strict-Transport-Security", "max-age=31536000");
    next();
  };
}

/** Error codes of pg and PGlite that mean the store is unreachable or restarting (retry soon). */
const UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

/** Whether an error means the database is away for a moment (503 with `Retry-After`, not 500). */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string" && UNAVAILABLE.has(code)) return true;
  return (
    typeof message === "string" &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|PGlite is closed/i.test(
      message,
    )
  );
}

/** The one error handler: every error becomes a problem+json answer; bad input never answers 500. */
export function errorHandler(ctx: AppContext) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let answer: HttpProblem;
    const bodyError = error as { type?: unknown; status?: unknown; expose?: unknown };
    if (isHttpProblem(error)) {
      answer = error;
    } else if (bodyError?.type === "entity.too.large") {
      answer = new HttpProblem("payload_too_large", "The request body is larger than the limit of 16 KiB.");
    } else if (bodyError?.type === "entity.parse.failed") {
      answer = new HttpProblem("validation_failed", "The body is not valid JSON.", {
        errors: [{ path: "", message: "invalid JSON" }],
      });
    } else if (
      typeof bodyError?.type === "string" &&
      bodyError.expose === true &&
      Number(bodyError.status) < 500
    ) {
      // Other body-parser refusals: unsupported charset or encoding, aborted or malformed requests.
      answer = new HttpProblem("validation_failed", `The request body cannot be read (${bodyError.type}).`);
    } else if (error instanceof URIError) {
      answer = new HttpProblem("validation_failed", "The URL is not valid percent-encoding.");
    } else if (isStoreUnavailable(error)) {
      ctx.errors.record("store_unavailable", (error as Error).message);
      ctx.logger.warn({ reqId: res.locals.requestId, err: (error as Error).message }, "store unavailable");
      answer = new HttpProblem("service_unavailable", "The database cannot be reached; retry shortly.", {
        headers: { "Retry-After": "2" },
      });
    } else {
      const message = error instanceof Error ? error.message : String(error);
      ctx.errors.record("internal", message);
      ctx.logger.error(
        // Not the whole error: a database error's `detail` can quote the failing row (a password hash).
        { reqId: res.locals.requestId, err: loggableError(error), route: req.route?.path },
        "unhandled error",
      );
      answer = new HttpProblem(
        "internal",
        "Something went wrong on the server; the request id names it in the log.",
      );
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.locals.problemCode = answer.code;
    sendProblem(res, answer);
  };
}

/** The answer for anything no route matched. */
export function notFound(req: Request): never {
  throw new HttpProblem("not_found", `There is no ${req.method} ${req.path.slice(0, 200)}.`);
}

/** What of an unexpected error may be logged: its name, message, code and stack, nothing it carries. */
function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code } = error as { code?: unknown };
  return { name: error.name, message: error.message, code, stack: error.stack };
}
