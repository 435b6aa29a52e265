export type { EncodeOptions } from "./internal/args.js";
export type { BackoffOptions } from "./internal/backoff.js";
export { HlsError, type HlsErrorCode, isHlsError } from "./internal/errors.js";
export { type FfmpegInfo, type FindFfmpegOptions, findFfmpeg, type ProgramInfo } from "./internal/find.js";
export { DEFAULT_LADDER, type LadderRung, validateLadder } from "./internal/ladder.js";
export {
  type CrashInfo,
  HlsPipeline,
  type HlsPipelineEvents,
  type PipelineState,
} from "./internal/pipeline.js";
export type { HlsPipelineOptions, ResolvedOptions } from "./internal/plan.js";
export { parseMasterPlaylist, parseMediaPlaylist, parsePlaylist } from "./internal/playlist/parse.js";
export { serializePlaylist } from "./internal/playlist/serialize.js";
export {
  type NewestSegment,
  newestSegment,
  programDateTimeMs,
  rewriteUris,
  type UriKind,
} from "./internal/playlist/tools.js";
export type {
  ByteRange,
  ExtraAttributes,
  IFrameVariant,
  MasterPlaylist,
  MediaPlaylist,
  MediaSegment,
  Playlist,
  Rendition,
  SegmentKey,
  SegmentMap,
  StartPoint,
  Variant,
} from "./internal/playlist/types.js";
export { type ProbeOptions, type ProbeResult, type ProbeStream, probe } from "./internal/probe.js";
export type { Progress } from "./internal/progress.js";
export type { FileSource, RtmpSource, Source, SrtSource, TestSource, UrlSource } from "./internal/sources.js";
export { packageVod, type VodOptions, type VodResult } from "./internal/vod.js";
