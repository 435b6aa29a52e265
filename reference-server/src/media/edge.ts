import { EDGE_AUTH_PATH } from "./gate.js";

/** What {@link nginxEdgeConfig} needs to know. */
export interface EdgeConfigOptions {
  /** Where the edge listens: `8088`, `0.0.0.0:80`, ... */
  readonly listen: string;
  /** The server NGINX asks and passes the API to: `127.0.0.1:8080`. */
  readonly origin: string;
  /** The HLS directory the pipelines write (`DATA_DIR/hls`), read by NGINX. */
  readonly hlsRoot: string;
  /** A directory NGINX may write its cache of the server's answers to. */
  readonly cacheDir: string;
  /** How long an allowed session is served without asking the server again; default 2 s. */
  readonly authCacheS?: number;
}

/** A stream file under /play/{session}/: the gate's path rule, as an NGINX regex. */
const FILE = "(?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}/){0,3}[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}";
const SESSION = "[A-Za-z0-9_-]{16,64}";

/**
 * An NGINX configuration for an edge in front of the server (to include in `http {}`): NGINX
 * serves `/play/` from the HLS directory itself, after asking the server whether the session may
 * have it (`auth_request` to {@link EDGE_AUTH_PATH}, the gate's own checks), and keeps an allowed
 * session's answer for `authCacheS` seconds; everything else is passed to the server. A revoked or
 * expired session is refused at the edge within `authCacheS` seconds.
 *
 * @example
 * ```ts
 * writeFileSync("/etc/nginx/conf.d/mpvstream.conf", nginxEdgeConfig({
 *   listen: "80", origin: "127.0.0.1:8080", hlsRoot: "/srv/mpvstream/data/hls", cacheDir: "/var/cache/nginx/mpvstream",
 * }));
 * ```
 */
export function nginxEdgeConfig(options: EdgeConfigOptions): string {
  const authCacheS = options.authCacheS ?? 2;
  return `# mpvstream edge, printed by \`mpvstream-server nginx-config\`: include it in nginx.conf's http {}.
# NGINX serves /play/ from ${options.hlsRoot} after asking the server (auth_request), keeping
# an allowed session's answer ${authCacheS} s; the rest goes to the server. Set the server's
# PUBLIC_URL to this edge's address and TRUST_PROXY to this edge (loopback when on one machine).
upstream mpvstream_origin {
  server ${options.origin};
  keepalive 16;
}
proxy_cache_path ${options.cacheDir} levels=1 keys_zone=mpvstream_auth:1m max_size=16m inactive=60s use_temp_path=off;
map $request_uri $mpvstream_session {
  "~^/play/(?<session>${SESSION})/" $session;
  default "";
}
map $mpvstream_file $mpvstream_cache_control {
  "~\\.m3u8$" "no-cache";
  default "private, max-age=86400, immutable";
}
server {
  listen ${options.listen};
  server_tokens off;

  location /play/ {
    location ~ "^/play/${SESSION}/(?<mpvstream_file>${FILE}\\.(?:m3u8|ts|m4s|mp4|aac|vtt))$" {
      auth_request /_mpvstream_auth;
      auth_request_set $mpvstream_stream $upstream_http_x_mpvstream_stream;
      alias ${options.hlsRoot}/$mpvstream_stream/$mpvstream_file;
      disable_symlinks on;
      limit_except GET { deny all; }
      types {
        application/vnd.apple.mpegurl m3u8;
        video/mp2t ts;
        video/iso.segment m4s;
        video/mp4 mp4;
        audio/aac aac;
        text/vtt vtt;
      }
      add_header Cache-Control $mpvstream_cache_control always;
      add_header X-Content-Type-Options nosniff always;
    }
    return 404;
  }

  location = /_mpvstream_auth {
    internal;
    proxy_pass http://mpvstream_origin${EDGE_AUTH_PATH};
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_pass_request_body off;
    proxy_set_header Content-Length "";
    proxy_set_header X-Original-URI $request_uri;
    proxy_cache mpvstream_auth;
    proxy_cache_key $mpvstream_session;
    proxy_cache_valid 204 ${authCacheS}s;
    proxy_cache_valid 403 1s;
    proxy_ignore_headers Cache-Control Expires;
    proxy_cache_lock on;
  }

  # Only the edge asks the server that question.
  location = ${EDGE_AUTH_PATH} {
    return 404;
  }

  location / {
    proxy_pass http://mpvstream_origin;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    client_max_body_size 1m;
  }
}
`;
}
