import type { Express, RequestHandler } from "express";
import { DASHBOARD_PAGE } from "../dashboard/page.js";
import { DASHBOARD_SCRIPT } from "../dashboard/script.js";
import { DASHBOARD_STYLES } from "../dashboard/styles.js";

/**
 * The dashboard page's Content-Security-Policy: its own script, stylesheet and API calls only;
 * no inline script or style, no plugins, no framing, no form posts, and DOM sinks that parse
 * HTML refuse plain strings (the script only ever sets `textContent`).
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
].join("; ");

/** Where the dashboard's three files are served: under `/admin/dashboard/`, beside no API route. */
export const DASHBOARD_PATHS = {
  page: "/admin",
  script: "/admin/dashboard/app.js",
  styles: "/admin/dashboard/app.css",
} as const;

const asset =
  (type: string, body: string, csp?: string): RequestHandler =>
  (_req, res) => {
    // Set after securityHeaders, so this replaces the API's `default-src 'none'` for the page only.
    if (csp !== undefined) res.set("Content-Security-Policy", csp);
    res.type(type).send(body);
  };

/** Registers the admin dashboard: `GET /admin` and its script and stylesheet (the data comes from the API). */
export function dashboardRoutes(app: Express): void {
  app.get(DASHBOARD_PATHS.page, asset("text/html", DASHBOARD_PAGE, DASHBOARD_CSP));
  app.get(DASHBOARD_PATHS.script, asset("text/javascript", DASHBOARD_SCRIPT));
  app.get(DASHBOARD_PATHS.styles, asset("text/css", DASHBOARD_STYLES));
}
