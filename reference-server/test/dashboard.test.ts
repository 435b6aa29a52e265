import { existsSync } from "node:fs";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, http, type TestServer, testServer } from "./helpers.js";

/** Debian's Chromium (`npm run setup` installs it); the flags keep it off this machine's closed network. */
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'";
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const VIEWER = { email: "viewer@example.test", password: "viewer-password-1" };

describe("admin dashboard (real Chromium)", () => {
  let server: TestServer;
  let api: ReturnType<typeof http>;
  let admin: string;
  let browser: Browser;
  let clockOffset = 0;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: run npm run setup (or apt-get install chromium)`);
    }
    server = await testServer("pglite", {}, { clock: () => Date.now() + clockOffset });
    api = http(server.url);
    admin = (await api.login(ADMIN.email, ADMIN.password)).access_token;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A fresh browser context on `/admin`, collecting script errors and CSP violations. */
  async function openDashboard() {
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      // API refusals (401, 409...) are logged by Chromium as failed loads: the page shows them itself.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
        problems.push(message.text());
      }
    });
    await page.goto(`${server.url}/admin`);
    return { page, problems, close: () => context.close() };
  }

  async function logIn(page: Page, email: string, password: string): Promise<void> {
    const form = page.locator("#login-form");
    await form.getByLabel("Email").fill(email);
    await form.getByLabel("Password").fill(password);
    await form.getByRole("button", { name: "Log in" }).click();
  }

  /** Waits until a locator's text matches (a deadline, not a timing assertion). */
  const waitText = (locator: Locator, text: string | RegExp) => locator.filter({ hasText: text }).waitFor();
  const streamRow = (page: Page, id: string) =>
    page.locator("#stream-rows tr").filter({ has: page.locator("code", { hasText: new RegExp(`^${id}$`) }) });
  const stateCell = (row: Locator) => row.locator("td").nth(2);

  it("serves the page, its script and stylesheet with their types and a strict CSP", async () => {
    const page = await fetch(`${server.url}/admin`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toBe(PAGE_CSP);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("cache-control")).toBe("no-store");
    // Nothing inline: every script has a src, and there is no style element or attribute.
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script src="/admin/dashboard/app.js" defer>']);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<link rel="stylesheet" href="/admin/dashboard/app.css">');

    for (const [path, type] of [
      ["/admin/dashboard/app.js", "text/javascript; charset=utf-8"],
      ["/admin/dashboard/app.css", "text/css; charset=utf-8"],
    ] as const) {
      const res = await fetch(`${server.url}${path}`);
      expect([path, res.status, res.headers.get("content-type")]).toEqual([path, 200, type]);
      expect(res.headers.get("content-security-policy")).toBe(API_CSP);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect((await res.text()).length).toBeGreaterThan(100);
    }
    expect((await fetch(`${server.url}/admin`, { method: "HEAD" })).status).toBe(200);

    // The JSON API around it is unchanged: its own CSP, and admin calls still need a token.
    expect((await api.get("/healthz")).headers.get("content-security-policy")).toBe(API_CSP);
    const users = await api.get("/admin/users");
    expect([users.status, users.body.code]).toEqual([401, "unauthorized"]);
    expect((await api.get("/admin/dashboard/nothing")).status).toBe(404);
  });

  it("lets an admin watch metrics and manage streams, points and sessions", async () => {
    const { page, problems, close } = await openDashboard();
    try {
      await logIn(page, ADMIN.email, ADMIN.password);
      await waitText(page.locator("#whoami-email"), `Logged in as ${ADMIN.email}`);
      await waitText(page.locator("#m-active_sessions"), /^\d+$/);
      await waitText(page.locator("#metrics-updated"), /^Updated at /);

      // Create a stream; a second create with the same id shows the API's detail next to the form.
      const form = page.locator("#stream-form");
      await form.getByLabel("Id").fill("dash-live");
      await form.getByLabel("Title").fill("Dashboard test");
      await form.getByLabel("Points per minute").fill("5");
      await form.getByRole("button", { name: "Create stream" }).click();
      await waitText(page.locator("#stream-form-message"), "Stream dash-live created");
      const row = streamRow(page, "dash-live");
      await waitText(stateCell(row), /^offline$/);
      await form.getByRole("button", { name: "Create stream" }).click();
      await waitText(page.locator("#stream-form-message.error"), 'A stream "dash-live" exists already.');

      // Go live; the 2 s refresh brings the figure up.
      await row.getByRole("button", { name: "Go live" }).click();
      await waitText(stateCell(row), /^live$/);
      expect((await api.get("/streams/dash-live", admin)).body.state).toBe("live");
      await waitText(page.locator("#m-streams_live"), /^1$/);

      // Create a user, then grant points with a fresh Idempotency-Key.
      const users = page.locator("#user-form");
      await users.getByLabel("Email").fill(VIEWER.email);
      await users.getByLabel("Password").fill(VIEWER.password);
      await users.getByRole("button", { name: "Create user" }).click();
      await waitText(page.locator("#user-form-message"), `Created ${VIEWER.email} (user, 0 points).`);
      const viewerId = (await api.get("/admin/users", admin)).body.users.find(
        (u: { email: string }) => u.email === VIEWER.email,
      ).id as string;
      const points = page.locator("#points-form");
      await points.getByLabel("User").selectOption(viewerId);
      await points.getByLabel("Points (negative takes away)").fill("50");
      await points.getByLabel("Reason").fill("welcome");
      const grant = page.waitForRequest((r) => r.url().endsWith(`/admin/users/${viewerId}/points`));
      await points.getByRole("button", { name: "Change points" }).click();
      expect((await grant).headers()["idempotency-key"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
      await waitText(page.locator("#points-message.ok"), `${VIEWER.email} now has 50 points.`);
      const viewer = await api.login(VIEWER.email, VIEWER.password);
      expect((await api.get("/me", viewer.access_token)).body.points_balance).toBe(50);
      const ledger = (await api.get("/me/ledger", viewer.access_token)).body.entries;
      expect(ledger.map((e: { delta: number; reason: string }) => [e.delta, e.reason])).toEqual([
        [50, "welcome"],
      ]);
      // A correction below zero is refused with the API's sentence.
      await points.getByLabel("Points (negative takes away)").fill("-100");
      await points.getByLabel("Reason").fill("too much");
      await points.getByRole("button", { name: "Change points" }).click();
      await waitText(
        page.locator("#points-message.error"),
        "This correction would take the balance below zero.",
      );

      // A session started through the API shows up and is revoked from the page.
      const started = await api.post("/playback/start", { stream_id: "dash-live" }, viewer.access_token);
      expect(started.status).toBe(201);
      const sessionId = started.body.session_id as string;
      const sessionRow = page.locator("#session-rows tr").filter({ hasText: VIEWER.email });
      await sessionRow.waitFor();
      await waitText(page.locator("#m-active_sessions"), /^1$/);
      await sessionRow.getByRole("button", { name: "Revoke" }).click();
      await waitText(page.locator("#sessions-message.ok"), `Session ${sessionId.slice(0, 8)}... revoked`);
      await waitText(page.locator("#session-rows"), "No active sessions.");
      expect((await api.get("/admin/sessions", admin)).body.sessions).toEqual([]);
      const renew = await api.post("/playback/renew", { session_id: sessionId }, viewer.access_token);
      expect([renew.status, renew.body.code]).toEqual([410, "session_ended"]);

      // Offline, then delete (after the page's confirmation).
      await row.getByRole("button", { name: "Go offline" }).click();
      await waitText(stateCell(row), /^offline$/);
      page.once("dialog", (dialog) => void dialog.accept());
      await row.getByRole("button", { name: "Delete" }).click();
      await waitText(page.locator("#streams-message.ok"), "Stream dash-live deleted.");
      expect((await api.get("/streams/dash-live", admin)).status).toBe(404);

      // Log out: the server revokes the refresh token and the page keeps no data.
      const logout = page.waitForResponse((r) => r.url().endsWith("/auth/logout"));
      await page.getByRole("button", { name: "Log out" }).click();
      expect((await logout).status()).toBe(204);
      await waitText(page.locator("#login-message"), "You are logged out.");
      expect(await page.locator("#console").isHidden()).toBe(true);
      expect(await page.locator("#user-rows tr").count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it("refuses a wrong password and a non-admin account with a sentence", async () => {
    const created = await api.post(
      "/admin/users",
      { email: "plain@example.test", password: "plain-password-1", role: "user" },
      admin,
    );
    expect(created.status).toBe(201);
    const { page, problems, close } = await openDashboard();
    try {
      await logIn(page, "plain@example.test", "wrong-password");
      await waitText(page.locator("#login-message.error"), "The email or password is wrong.");
      await logIn(page, "plain@example.test", "plain-password-1");
      await waitText(
        page.locator("#login-message.error"),
        "The account plain@example.test is not an admin: this dashboard is for admins only.",
      );
      expect(await page.locator("#console").isHidden()).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  // Last: it moves the server's clock forward.
  it("refreshes an expired access token once, and asks to log in again when the refresh token has expired", async () => {
    const { page, problems, close } = await openDashboard();
    try {
      await logIn(page, ADMIN.email, ADMIN.password);
      await waitText(page.locator("#m-active_sessions"), /^\d+$/);
      const refreshes: number[] = [];
      page.on("response", (r) => {
        if (r.url().endsWith("/auth/refresh")) refreshes.push(r.status());
      });

      // Past the access token's 15 minutes: every call of the next round answers 401; one refresh serves them all.
      clockOffset += 16 * 60_000;
      await page.waitForResponse((r) => r.url().endsWith("/auth/refresh"));
      await page.waitForResponse((r) => r.url().endsWith("/monitoring/metrics") && r.status() === 200);
      expect(refreshes).toEqual([200]);
      expect(await page.locator("#console").isVisible()).toBe(true);

      // Past the refresh token's 30 days: back to the login form, with a message.
      clockOffset += 31 * 24 * 3_600_000;
      await waitText(
        page.locator("#login-message.error"),
        "Your login has ended (expired or revoked); log in again.",
      );
      expect(await page.locator("#console").isHidden()).toBe(true);
      expect(refreshes).toEqual([200, 401]);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
