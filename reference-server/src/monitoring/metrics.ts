import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The Prometheus metrics of one server (its own registry, so that several servers can share a process). */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route">;
  /** Counts a failed login. */
  recordLoginFailure(): void;
  /** Counts a playback call answered with an error. */
  recordPlaybackError(code: string): void;
  pointsSpent: Counter;
  activeSessions: Gauge;
  /** Login failures since start, for `/monitoring/metrics`. */
  loginFailureCount(): number;
  /** Playback errors since start, for `/monitoring/metrics`. */
  playbackErrorCount(): number;
}

/** Creates the registry and the metrics; `activeSessions` is read from `countActive` at scrape time. */
export function createMetrics(countActive: () => Promise<number>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "mpvstream_" });
  let loginFailureCount = 0;
  let playbackErrorCount = 0;
  const loginFailures = new Counter({
    name: "mpvstream_login_failures_total",
    help: "Failed login attempts (wrong email or password).",
    registers: [registry],
  });
  const playbackErrors = new Counter({
    name: "mpvstream_playback_errors_total",
    help: "Playback calls (start, renew, stop) answered with an error, by code.",
    labelNames: ["code"] as const,
    registers: [registry],
  });
  return {
    registry,
    httpRequests: new Counter({
      name: "mpvstream_http_requests_total",
      help: "HTTP requests by method, route and status.",
      labelNames: ["method", "route", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "mpvstream_http_request_duration_seconds",
      help: "HTTP request duration by method and route.",
      labelNames: ["method", "route"] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    recordLoginFailure() {
      loginFailureCount++;
      loginFailures.inc();
    },
    recordPlaybackError(code) {
      playbackErrorCount++;
      playbackErrors.inc({ code });
    },
    pointsSpent: new Counter({
      name: "mpvstream_points_spent_total",
      help: "Points debited for playback.",
      registers: [registry],
    }),
    activeSessions: new Gauge({
      name: "mpvstream_active_sessions",
      help: "Active playback sessions (from the store).",
      registers: [registry],
      async collect() {
        try {
          this.set(await countActive());
        } catch {
          // Scrapes must not fail while the store is away; the gauge keeps its last value.
        }
      },
    }),
    loginFailureCount: () => loginFailureCount,
    playbackErrorCount: () => playbackErrorCount,
  };
}
