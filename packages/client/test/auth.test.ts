import { describe, expect, it } from "vitest";
import { isProblemError, type TokenStore, type Tokens } from "../src/index.js";
import { clientFor, loggedIn, rejection, useFixture } from "./helpers.js";

const fixture = useFixture({ refreshDelayMs: 100 });

describe("tokens and the 401 refresh", () => {
  it("login stores the pair and reports it; logout revokes and forgets it", async () => {
    const f = fixture.current;
    const seen: Array<Tokens | undefined> = [];
    const client = clientFor(f, { onTokens: (t) => seen.push(t) });
    const answer = await client.login({ email: "demo@local", password: "demo" });
    expect(await client.tokenStore.get()).toMatchObject({
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token,
    });
    await client.logout();
    expect(f.seen("POST", "/auth/logout")[0]?.body).toEqual({ refresh_token: answer.refresh_token });
    expect(seen.map((t) => t?.accessToken)).toEqual([answer.access_token, undefined]);
    expect(f.state.refresh.has(answer.refresh_token)).toBe(false);
  });

  it("a call that needs a user, without tokens, fails with not_logged_in and sends nothing", async () => {
    const f = fixture.current;
    const error = await rejection(() => clientFor(f).me());
    expect(isProblemError(error) && error.code).toBe("not_logged_in");
    expect(f.requests).toHaveLength(0);
  });

  it("wrong credentials are invalid_credentials with the problem document", async () => {
    const error = await rejection(() =>
      clientFor(fixture.current).login({ email: "demo@local", password: "x" }),
    );
    expect(isProblemError(error) && [error.code, error.status, error.problem?.code]).toEqual([
      "invalid_credentials",
      401,
      "invalid_credentials",
    ]);
  });

  it("refreshes once on a 401, then retries the call with the new token", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    const old = await client.tokenStore.get();
    f.state.access.clear();
    expect((await client.me()).email).toBe("demo@local");
    const me = f.seen("GET", "/me");
    expect(me.map((r) => r.status)).toEqual([401, 200]);
    const now = await client.tokenStore.get();
    expect(me[1]?.headers.authorization).toBe(`Bearer ${now?.accessToken}`);
    expect(now?.accessToken).not.toBe(old?.accessToken);
    expect(f.state.refreshCalls).toBe(1);
  });

  it("concurrent 401s share one refresh (single flight)", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    f.state.access.clear();
    const results = await Promise.all([
      client.me(),
      client.listStreams(),
      client.getStream("demo"),
      client.ledger(),
      client.me(),
      client.renewPlayback({ session_id: "x".repeat(22) }).catch((e: unknown) => e),
    ]);
    expect(results).toHaveLength(6);
    expect(f.state.refreshCalls).toBe(1);
    expect(f.seen("POST", "/auth/refresh")).toHaveLength(1);
    // The renew reached the server with the new token and got its real answer.
    const renew = results[5];
    expect(isProblemError(renew) && renew.code).toBe("session_not_found");
  });

  it("a 401 that arrives after another call refreshed reuses those tokens without a second refresh", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    const stale = await client.tokenStore.get();
    f.state.access.clear();
    await client.me(); // refresh #1
    // A call that was sent with the stale token (simulated by a store that still hands it out once).
    let handedStale = false;
    const store: TokenStore = {
      get: async () => {
        if (!handedStale) {
          handedStale = true;
          return stale;
        }
        return client.tokenStore.get();
      },
      set: (t) => client.tokenStore.set(t),
      clear: () => client.tokenStore.clear(),
    };
    const second = clientFor(f, { tokenStore: store });
    expect((await second.me()).email).toBe("demo@local");
    expect(f.state.refreshCalls).toBe(1);
  });

  it("a 401 after the refresh is not retried again: one refresh, then the error", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    f.inject("GET", "/me", { kind: "unauthorized" }, { kind: "unauthorized" });
    const error = await rejection(() => client.me());
    expect(isProblemError(error) && [error.code, error.status]).toEqual(["invalid_token", 401]);
    expect(f.seen("GET", "/me")).toHaveLength(2);
    expect(f.state.refreshCalls).toBe(1);
  });

  it("a refused refresh clears the tokens and every waiting call fails with its code", async () => {
    const f = fixture.current;
    const seen: Array<Tokens | undefined> = [];
    const client = await loggedIn(f, "demo", { onTokens: (t) => seen.push(t) });
    f.state.access.clear();
    f.state.refresh.clear();
    const errors = await Promise.all([client.me().catch((e) => e), client.listStreams().catch((e) => e)]);
    for (const error of errors) expect(isProblemError(error) && error.code).toBe("invalid_token");
    expect(f.state.refreshCalls).toBe(1);
    expect(await client.tokenStore.get()).toBeUndefined();
    expect(seen.at(-1)).toBeUndefined();
    const after = await rejection(() => client.me());
    expect(isProblemError(after) && after.code).toBe("not_logged_in");
  });

  it("a refresh lost on the network is not sent twice (the old token would revoke the family) and keeps the tokens", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    f.state.access.clear();
    f.inject("POST", "/auth/refresh", { kind: "drop" });
    const error = await rejection(() => client.me());
    expect(isProblemError(error) && error.code).toBe("network_error");
    expect(f.seen("POST", "/auth/refresh")).toHaveLength(1);
    expect(await client.tokenStore.get()).toBeDefined();
  });

  it("works with an asynchronous store (as a file store is) that starts with saved tokens", async () => {
    const f = fixture.current;
    const first = await loggedIn(f);
    let saved = JSON.stringify(await first.tokenStore.get());
    const fileLike: TokenStore = {
      get: async () => (saved === "" ? undefined : (JSON.parse(saved) as Tokens)),
      set: async (t) => {
        saved = JSON.stringify(t);
      },
      clear: async () => {
        saved = "";
      },
    };
    const client = clientFor(f, { tokenStore: fileLike });
    expect((await client.me()).email).toBe("demo@local");
    f.state.access.clear();
    await client.me();
    expect(JSON.parse(saved).accessToken).toBe((await fileLike.get())?.accessToken);
    await client.logout();
    expect(saved).toBe("");
  });
});
