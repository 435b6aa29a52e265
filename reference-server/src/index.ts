export {
  type AppHandle,
  type AppOptions,
  createApp,
  openConfiguredDatabase,
  pipelineController,
  recordingController,
  type StreamControllerDeps,
} from "./app.js";
export { type ConfigResult, defineConfig, loadConfig, type ServerConfig } from "./config.js";
export { type Database, type DatabaseOptions, openDatabase, type Queryable } from "./db/database.js";
export { MIGRATIONS, type Migration, migrate } from "./db/migrations.js";
export { HttpProblem } from "./http/problem.js";
export { DEFAULT_LIMITS, type LimitPolicy, type LimitSettings } from "./limits/limits.js";
export { ErrorLog } from "./monitoring/errors.js";
export { type ServerHandle, startServer } from "./server.js";
export { type CachedSession, SessionCache, type SessionCacheReader } from "./sessions/cache.js";
export { StreamStore } from "./store/streams.js";
export {
  applyTransitions,
  pathTo,
  RecordingStreamController,
  type StreamController,
} from "./streams/controller.js";
