import { z } from "zod";
import { PointsSchema, ShortTextSchema, StreamIdSchema, TimestampSchema } from "./primitives.js";

/** The states of a stream's pipeline. */
export const StreamStateSchema = z.enum(["offline", "starting", "live", "stopping", "error"]);

/** A stream's state: `offline -> starting -> live -> stopping -> offline`, `error` from starting or live. */
export type StreamState = z.infer<typeof StreamStateSchema>;

/** URL schemes a URL-pull source may use: anything ffmpeg reads over the network. */
const PULL_SCHEMES = ["http:", "https:", "rtmp:", "rtmps:", "rtsp:", "rtsps:", "srt:", "udp:", "rtp:"];

/**
 * Where a stream's video comes from: a generated test pattern, a file, a URL that ffmpeg pulls,
 * or an RTMP listener that OBS publishes to (`rtmp://host:port/live`).
 *
 * @example
 * ```ts
 * StreamSourceSchema.parse({ kind: "rtmp", port: 1935 });
 * ```
 */
export const StreamSourceSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("test") }),
  z.strictObject({
    kind: z.literal("file"),
    path: z
      .string()
      .min(1)
      .max(4096)
      .refine((p) => !p.includes("\0"), "must not contain NUL"),
    loop: z.boolean(),
  }),
  z.strictObject({
    kind: z.literal("url"),
    url: z
      .string()
      .max(2048)
      .refine((u) => URL.canParse(u) && PULL_SCHEMES.includes(new URL(u).protocol), {
        message: `must be a URL with one of the schemes ${PULL_SCHEMES.join(" ")}`,
      }),
  }),
  z.strictObject({ kind: z.literal("rtmp"), port: z.int().min(1024).max(65_535) }),
]);

/** Where a stream's video comes from. */
export type StreamSource = z.infer<typeof StreamSourceSchema>;

/** A stream as the API shows it. */
export const StreamSchema = z.strictObject({
  id: StreamIdSchema,
  title: ShortTextSchema,
  state: StreamStateSchema,
  points_per_minute: PointsSchema,
  viewers: z.int().min(0),
  source: StreamSourceSchema,
  updated_at: TimestampSchema,
  last_error: z.string().max(2048).optional(),
});

/** A stream: id, title, state, price, viewers, source. */
export type Stream = z.infer<typeof StreamSchema>;

/** Answer of `GET /streams`. */
export const StreamsResponseSchema = z.strictObject({ streams: z.array(StreamSchema) });

/** Answer of `GET /streams`. */
export type StreamsResponse = z.infer<typeof StreamsResponseSchema>;

/** Body of `POST /streams`. */
export const CreateStreamRequestSchema = z.strictObject({
  id: StreamIdSchema,
  title: ShortTextSchema,
  points_per_minute: PointsSchema,
  source: StreamSourceSchema,
});

/** Body of `POST /streams`. */
export type CreateStreamRequest = z.infer<typeof CreateStreamRequestSchema>;

/** Body of `PATCH /streams/{id}`: at least one of title, price or source. */
export const UpdateStreamRequestSchema = z
  .strictObject({
    title: ShortTextSchema.optional(),
    points_per_minute: PointsSchema.optional(),
    source: StreamSourceSchema.optional(),
  })
  .refine(
    (body) => Object.keys(body).length > 0,
    "must change at least one of title, points_per_minute, source",
  );

/** Body of `PATCH /streams/{id}`. */
export type UpdateStreamRequest = z.infer<typeof UpdateStreamRequestSchema>;

/** Body of `POST /streams/{id}/state`: the state an admin asks for. */
export const StreamStateRequestSchema = z.strictObject({ state: z.enum(["live", "offline"]) });

/** Body of `POST /streams/{id}/state`. */
export type StreamStateRequest = z.infer<typeof StreamStateRequestSchema>;
