export type { MpvErrorCode } from "./errors.js";
export { isMpvError, MPV_ERROR_CODES, MpvError } from "./errors.js";
export type { FindMpvOptions, MpvInstallation } from "./find.js";
export { compareVersions, findMpv, IPC_CLIENT_FD_VERSION, MIN_MPV_VERSION, parseMpvVersion } from "./find.js";
export type { IpcCommand, RequestOptions } from "./internal/ipc.js";
export type { AdoptOptions, AttachOptions, LaunchOptions } from "./launch.js";
export { adoptMpv, attachMpv, launchMpv } from "./launch.js";
export type { CloseOptions, LoadfileOptions, MpvPlayer } from "./player.js";
export type {
  EndInfo,
  EndReason,
  ExitInfo,
  FirstFrameInfo,
  LogEntry,
  MpvEvents,
  MpvLogger,
  PropertyChange,
  StallInfo,
} from "./types.js";
