import { z } from "zod";
import { StreamIdSchema, TimestampSchema } from "./primitives.js";

/** Answer of `GET /healthz`. */
export const HealthResponseSchema = z.strictObject({ status: z.literal("ok") });

/** Answer of `GET /healthz`. */
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

/** Answer of `GET /readyz` when the store answers. */
export const ReadyResponseSchema = z.strictObject({ status: z.literal("ready") });

/** Answer of `GET /readyz` when the store answers. */
export type ReadyResponse = z.infer<typeof ReadyResponseSchema>;

const Count = z.int().min(0);

/** Answer of `GET /monitoring/metrics`: live figures for the admin dashboard. */
export const MetricsResponseSchema = z.strictObject({
  active_sessions: Count,
  points_spent_per_minute: Count,
  login_failures: Count,
  playback_errors: Count,
  streams_live: Count,
  viewers_by_stream: z.record(StreamIdSchema, Count),
});

/** Answer of `GET /monitoring/metrics`. */
export type MetricsResponse = z.infer<typeof MetricsResponseSchema>;

/** One kind of error the server has seen, with how often and the latest occurrence. */
export const ErrorRecordSchema = z.strictObject({
  kind: z.string().min(1).max(64),
  count: z.int().min(1),
  last_at: TimestampSchema,
  last_message: z.string().max(4096),
  stream_id: StreamIdSchema.optional(),
});

/** One kind of error the server has seen. */
export type ErrorRecord = z.infer<typeof ErrorRecordSchema>;

/** Answer of `GET /monitoring/errors`. */
export const ErrorsResponseSchema = z.strictObject({ errors: z.array(ErrorRecordSchema) });

/** Answer of `GET /monitoring/errors`. */
export type ErrorsResponse = z.infer<typeof ErrorsResponseSchema>;
