import { z } from "zod";
import {
  PointsSchema,
  SessionIdSchema,
  StreamIdSchema,
  TimestampSchema,
  UserIdSchema,
} from "./primitives.js";

/** Body of `POST /playback/start`. */
export const PlaybackStartRequestSchema = z.strictObject({ stream_id: StreamIdSchema });

/** Body of `POST /playback/start`. */
export type PlaybackStartRequest = z.infer<typeof PlaybackStartRequestSchema>;

/** Answer of `POST /playback/start`: the session, where to play it, and what it cost. */
export const PlaybackStartResponseSchema = z.strictObject({
  session_id: SessionIdSchema,
  stream_id: StreamIdSchema,
  playback_url: z.url({ protocol: /^https?$/ }).max(2048),
  expires_at: TimestampSchema,
  renew_after_s: z.int().min(1).max(86_400),
  points_charged: PointsSchema,
  points_balance: PointsSchema,
});

/** Answer of `POST /playback/start`. */
export type PlaybackStartResponse = z.infer<typeof PlaybackStartResponseSchema>;

/** Body of `POST /playback/renew` and `POST /playback/stop`. */
export const PlaybackSessionRequestSchema = z.strictObject({ session_id: SessionIdSchema });

/** Body of `POST /playback/renew` and `POST /playback/stop`. */
export type PlaybackSessionRequest = z.infer<typeof PlaybackSessionRequestSchema>;

/** Answer of `POST /playback/renew`: `points_charged` is 0 when the paid period still had more than one period left. */
export const PlaybackRenewResponseSchema = z.strictObject({
  session_id: SessionIdSchema,
  expires_at: TimestampSchema,
  renew_after_s: z.int().min(1).max(86_400),
  points_charged: PointsSchema,
  points_balance: PointsSchema,
});

/** Answer of `POST /playback/renew`. */
export type PlaybackRenewResponse = z.infer<typeof PlaybackRenewResponseSchema>;

/** A playback session as the admin API lists it. */
export const PlaybackSessionSchema = z.strictObject({
  session_id: SessionIdSchema,
  user_id: UserIdSchema,
  stream_id: StreamIdSchema,
  started_at: TimestampSchema,
  expires_at: TimestampSchema,
  points_charged: PointsSchema,
});

/** A playback session: who watches what, since when, until when, and what it has cost. */
export type PlaybackSession = z.infer<typeof PlaybackSessionSchema>;

/** Answer of `GET /admin/sessions`: the active sessions. */
export const PlaybackSessionsResponseSchema = z.strictObject({ sessions: z.array(PlaybackSessionSchema) });

/** Answer of `GET /admin/sessions`. */
export type PlaybackSessionsResponse = z.infer<typeof PlaybackSessionsResponseSchema>;
