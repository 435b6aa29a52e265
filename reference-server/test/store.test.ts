import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/db/database.js";
import { appliedVersions, MIGRATIONS, migrate } from "../src/db/migrations.js";
import { IdempotencyStore } from "../src/store/idempotency.js";
import { refreshTokens } from "../src/store/refresh-tokens.js";
import { StreamStore } from "../src/store/streams.js";
import { UserStore } from "../src/store/users.js";
import { BACKENDS, freshDatabase } from "./helpers.js";

const now = Date.parse("2026-05-01T00:00:00Z");

describe.each(BACKENDS)("store on %s", (kind) => {
  let db: Database;
  let drop: () => Promise<void>;
  let users: UserStore;

  beforeAll(async () => {
    ({ db, drop } = await freshDatabase(kind));
    users = new UserStore(db);
  });
  afterAll(() => drop());

  it("applies the migrations once and records them", async () => {
    expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(db)).toEqual([]);
    expect(await appliedVersions(db)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it("creates users with unique emails (any case) and an initial ledger row", async () => {
    const user = await users.create({
      email: "Ann@Example.test",
      passwordHash: "h",
      role: "user",
      balance: 50,
      now,
    });
    expect(user).toMatchObject({ email: "Ann@Example.test", role: "user", points_balance: 50 });
    expect(
      await users.create({ email: "ann@example.TEST", passwordHash: "h", role: "user", now }),
    ).toBeUndefined();
    expect((await users.findByEmail("ANN@example.test"))?.id).toBe(user?.id);
    expect(await users.ledger(user?.id ?? "", 10)).toMatchObject([
      { delta: 50, balance_after: 50, reason: "initial balance" },
    ]);
  });

  it("upserts an admin: creates it, then resets password and role and keeps the balance", async () => {
    const first = await users.upsert({ email: "Root@example.test", passwordHash: "h1", role: "admin", now });
    expect(first.created).toBe(true);
    await users.changePoints({ userId: first.user.id, delta: 9, reason: "keep", now });
    await db.query("UPDATE users SET role = 'user' WHERE id = $1", [first.user.id]);
    const again = await users.upsert({ email: "root@EXAMPLE.test", passwordHash: "h2", role: "admin", now });
    expect(again).toEqual({ created: false, user: { ...first.user, points_balance: 9 } });
    expect((await users.findByEmail("root@example.test"))?.password_hash).toBe("h2");
  });

  it("keeps balances non-negative: CHECK as the backstop, corrections refused below zero", async () => {
    const user = await users.create({
      email: "bob@example.test",
      passwordHash: "h",
      role: "user",
      balance: 10,
      now,
    });
    const id = user?.id ?? "";
    await expect(db.query("UPDATE users SET balance = -1 WHERE id = $1", [id])).rejects.toMatchObject({
      code: "23514",
    });
    expect(await users.changePoints({ userId: id, delta: -11, reason: "too much", now })).toBe(
      "insufficient_points",
    );
    expect(await users.changePoints({ userId: id, delta: -10, reason: "all", now })).toEqual({ balance: 0 });
    expect(await users.changePoints({ userId: "nobody", delta: 5, reason: "x", now })).toBe("user_not_found");
    expect(
      await users.changePoints({ userId: id, delta: 7, reason: "grant", idempotencyKey: "k1", now }),
    ).toEqual({ balance: 7 });
    // The ledger's unique idempotency key stops a second debit even if everything above it failed.
    await expect(
      users.changePoints({ userId: id, delta: 7, reason: "grant", idempotencyKey: "k1", now }),
    ).rejects.toMatchObject({
      code: "23505",
    });
    expect((await users.get(id))?.points_balance).toBe(7);
  });

  it("keeps balance = sum of ledger deltas under any sequence of grants and corrections", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.integer({ min: -60, max: 60 }).filter((d) => d !== 0),
          { maxLength: 25 },
        ),
        async (deltas) => {
          const user = await users.create({
            email: `p${Math.random()}@example.test`,
            passwordHash: "h",
            role: "user",
            now,
          });
          const id = user?.id ?? "";
          let expected = 0;
          for (const delta of deltas) {
            const result = await users.changePoints({ userId: id, delta, reason: "prop", now });
            if (expected + delta >= 0) {
              expected += delta;
              expect(result).toEqual({ balance: expected });
            } else {
              expect(result).toBe("insufficient_points");
            }
          }
          const [row] = await db.query<{ total: number | null }>(
            "SELECT sum(delta) AS total FROM ledger WHERE user_id = $1",
            [id],
          );
          expect(Number(row?.total ?? 0)).toBe(expected);
          expect((await users.get(id))?.points_balance).toBe(expected);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("refuses a second ledger row for the same session period", async () => {
    const user = await users.create({
      email: "carl@example.test",
      passwordHash: "h",
      role: "user",
      balance: 100,
      now,
    });
    const insert = () =>
      db.query(
        `INSERT INTO ledger (user_id, delta, balance_after, kind, reason, session_id, period, created_at)
         VALUES ($1, -1, 99, 'playback', 'x', 'sess-0123456789abcdef', 3, now())`,
        [user?.id],
      );
    await insert();
    await expect(insert()).rejects.toMatchObject({ code: "23505" });
  });

  it("streams: create, conflict, update, compare-and-set transitions, delete only offline", async () => {
    const streams = new StreamStore(db);
    const created = await streams.create(
      { id: "a", title: "A", points_per_minute: 2, source: { kind: "url", url: "srt://x:9000" } },
      now,
    );
    expect(created).toMatchObject({
      id: "a",
      state: "offline",
      viewers: 0,
      source: { kind: "url", url: "srt://x:9000" },
    });
    expect(
      await streams.create({ id: "a", title: "B", points_per_minute: 1, source: { kind: "test" } }, now),
    ).toBeUndefined();
    expect((await streams.update("a", { points_per_minute: 9 }, now + 1000))?.points_per_minute).toBe(9);
    expect(await streams.transition("a", "live", "stopping", now)).toBe(false);
    expect(await streams.transition("a", "offline", "starting", now)).toBe(true);
    expect(await streams.transition("a", "starting", "error", now, "ffmpeg exited 1")).toBe(true);
    expect((await streams.get("a", now))?.last_error).toBe("ffmpeg exited 1");
    expect(await streams.delete("a")).toBe("error");
    await streams.transition("a", "error", "stopping", now);
    await streams.transition("a", "stopping", "offline", now);
    expect((await streams.get("a", now))?.last_error).toBeUndefined();
    expect(await streams.delete("a")).toBe("deleted");
    expect(await streams.delete("a")).toBe("not_found");
  });

  it("refresh tokens: consume returns the record as it was and marks it rotated once", async () => {
    const user = await users.create({ email: "dan@example.test", passwordHash: "h", role: "user", now });
    await refreshTokens.insert(db, {
      hash: "h1",
      family: "f1",
      userId: user?.id ?? "",
      expiresAt: now + 1000,
      now,
    });
    expect(await refreshTokens.consume(db, "h1", now)).toMatchObject({
      family: "f1",
      rotatedAt: null,
      revokedAt: null,
    });
    expect(await refreshTokens.consume(db, "h1", now + 5)).toMatchObject({ rotatedAt: now });
    await refreshTokens.revokeFamily(db, "f1", now);
    expect(await refreshTokens.consume(db, "h1", now)).toMatchObject({ revokedAt: now });
    expect(await refreshTokens.consume(db, "unknown", now)).toBeUndefined();
  });

  it("idempotency keys: claim, in progress, mismatch, done, stale takeover, 24 h expiry", async () => {
    const keys = new IdempotencyStore(db);
    expect(await keys.begin("u", "k", "hash", now)).toEqual({ state: "new" });
    expect(await keys.begin("u", "k", "hash", now + 1000)).toEqual({ state: "in_progress" });
    expect(await keys.begin("u", "k", "other", now + 1000)).toEqual({ state: "mismatch" });
    expect(await keys.begin("v", "k", "other", now)).toEqual({ state: "new" });
    await keys.complete(db, "u", "k", 201, { b: 1, a: 2 });
    expect(await keys.begin("u", "k", "hash", now + 2000)).toEqual({
      state: "done",
      status: 201,
      response: { b: 1, a: 2 },
    });
    const done = await keys.begin("u", "k", "hash", now + 2000);
    expect(JSON.stringify(done.state === "done" ? done.response : null)).toBe('{"b":1,"a":2}'); // key order kept
    // A claim abandoned by a crashed request is taken over after a minute.
    expect(await keys.begin("u", "stale", "hash", now)).toEqual({ state: "new" });
    expect(await keys.begin("u", "stale", "hash", now + 61_000)).toEqual({ state: "new" });
    // After 24 h a key is forgotten.
    expect(await keys.begin("u", "k", "other", now + 25 * 3600_000)).toEqual({ state: "new" });
    await keys.sweep(now + 50 * 3600_000);
    const [row] = await db.query<{ n: number }>("SELECT count(*) AS n FROM idempotency_keys");
    expect(Number(row?.n)).toBe(0);
  });
});

describe("PGlite in DATA_DIR", () => {
  it("keeps its data across restarts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pglite-"));
    const first = await openDatabase({ kind: "pglite", dataDir: join(dir, "pglite") });
    await migrate(first);
    await new UserStore(first).create({
      email: "keep@example.test",
      passwordHash: "h",
      role: "user",
      balance: 3,
      now,
    });
    await first.close();
    const second = await openDatabase({ kind: "pglite", dataDir: join(dir, "pglite") });
    expect(await migrate(second)).toEqual([]);
    expect((await new UserStore(second).findByEmail("keep@example.test"))?.balance).toBe(3);
    await second.close();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);
});
