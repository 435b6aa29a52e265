// P3: GET /me (authenticated) vs GET /healthz on the same server; P10: renew (debit) throughput
// on PostgreSQL and PGlite with the ledger invariant checked after. Prints Markdown to stdout.
// P1 (bench/run-gate.ts) and P6/P8 (bench/run-media.ts) are sections of their own in npm run bench.
import { type ChildProcess, fork } from "node:child_process";
import * as http from "node:http";
import { join } from "node:path";
import autocannon from "autocannon";

const here = import.meta.dirname;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = 5;
const log = (line: string) => process.stderr.write(`bench reference-server: ${line}\n`);

interface Child {
  url: string;
  call(message: Record<string, unknown>): Promise<unknown>;
  stop(): Promise<void>;
}

async function spawnServer(kind: "pglite" | "postgres"): Promise<Child> {
  const child: ChildProcess = fork(join(here, "control-server.ts"), [kind], {
    execArgv: [
      "--import",
      "tsx",
      ...(process.env.BENCH_PROFILE ? ["--cpu-prof", "--cpu-prof-dir=/tmp/mpvstream-prof"] : []),
    ],
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  let next = 0;
  const pending = new Map<number, (value: unknown) => void>();
  child.on("message", (m: { id: number; result: unknown }) => pending.get(m.id)?.(m.result));
  return {
    url,
    call(message) {
      const id = ++next;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        child.send({ ...message, id });
      });
    },
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function json(url: string, body: unknown, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** A POST over a keep-alive agent: lighter than fetch, so that the load generator leaves the cores to the server. */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function rps(url: string, headers: Record<string, string> = {}): Promise<number> {
  const result = await autocannon({ url, connections: 32, duration: SECONDS, headers });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

async function p3(): Promise<string> {
  const server = await spawnServer("pglite");
  try {
    const login = await json(`${server.url}/auth/login`, {
      email: "bench@example.test",
      password: "bench-password",
    });
    const auth = { authorization: `Bearer ${login.body.access_token as string}` };
    await rps(`${server.url}/healthz`);
    await rps(`${server.url}/me`, auth);
    const health: number[] = [];
    const me: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        health.push(await rps(`${server.url}/healthz`));
        me.push(await rps(`${server.url}/me`, auth));
      } else {
        me.push(await rps(`${server.url}/me`, auth));
        health.push(await rps(`${server.url}/healthz`));
      }
      log(
        `P3 round ${round + 1}: /healthz ${Math.round(health.at(-1) ?? 0)}/s, /me ${Math.round(me.at(-1) ?? 0)}/s`,
      );
    }
    const [h, m] = [median(health), median(me)];
    return [
      "## P3: authenticated API call vs /healthz",
      "",
      `Same server (PGlite store), autocannon, 32 connections, ${SECONDS} s per run, median of ${ROUNDS} alternating runs. \`GET /me\` verifies the bearer token (verified-token cache of @mpvstream/token) and reads the user through the server's short-lived user cache (dropped on every balance change), as a real client's repeated calls do.`,
      "",
      "| call | requests/s |",
      "|---|---|",
      `| \`GET /healthz\` | ${Math.round(h)} |`,
      `| \`GET /me\` | ${Math.round(m)} |`,
      "",
      `Ratio \`/me\` / \`/healthz\`: **${(m / h).toFixed(2)}x** (bar >= 0.8x): ${m / h >= 0.8 ? "met" : "NOT met"}.`,
    ].join("\n");
  } finally {
    await server.stop();
  }
}

async function p10(
  kind: "pglite" | "postgres",
): Promise<{ rate: number; check: Record<string, number>; renews: number; cpuUs: number }> {
  const server = await spawnServer(kind);
  try {
    const admin = (
      await json(`${server.url}/auth/login`, { email: "bench@example.test", password: "bench-password" })
    ).body.access_token as string;
    await json(
      `${server.url}/streams`,
      { id: "b", title: "b", points_per_minute: 1, source: { kind: "test" } },
      admin,
    );
    await json(`${server.url}/streams/b/state`, { state: "live" }, admin);
    const sessions: { id: string; token: string }[] = [];
    const sessionIndex = new Map<string, number>();
    for (let u = 0; u < 100; u++) {
      const email = `u${u}@example.test`;
      await json(
        `${server.url}/admin/users`,
        { email, password: "bench-password", role: "user", points_balance: 1_000_000 },
        admin,
      );
      const token = (await json(`${server.url}/auth/login`, { email, password: "bench-password" })).body
        .access_token as string;
      for (let s = 0; s < 4; s++) {
        const start = await json(`${server.url}/playback/start`, { stream_id: "b" }, token);
        sessions.push({ id: start.body.session_id as string, token });
        sessionIndex.set(start.body.session_id as string, s);
      }
    }
    // Session k of every user, then k + 1: a user's renews are spread out, as with real viewers.
    sessions.sort((a, b) => (sessionIndex.get(a.id) ?? 0) - (sessionIndex.get(b.id) ?? 0));
    // Each round renews every session once, 64 in flight, after moving the server clock one
    // period on: every renew is then due and debits (one conditional UPDATE + ledger row).
    let renews = 0;
    let elapsed = 0;
    let cpu = 0;
    const rounds = kind === "postgres" ? 10 : 6;
    for (let round = 0; round < rounds; round++) {
      await server.call({ advance: 60_000 });
      let cursor = 0;
      const cpuBefore = (await server.call({ cpu: true })) as number;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (cursor < sessions.length) {
            const session = sessions[cursor++] as (typeof sessions)[number];
            const res = await post(
              `${server.url}/playback/renew`,
              JSON.stringify({ session_id: session.id }),
              {
                authorization: `Bearer ${session.token}`,
                "idempotency-key": `r${round}-${session.id}`,
              },
            );
            if (res.status !== 200 || !res.body.includes('"points_charged":1,')) {
              throw new Error(`renew answered ${res.status} ${res.body}`);
            }
            renews++;
          }
        }),
      );
      elapsed += performance.now() - started;
      cpu += ((await server.call({ cpu: true })) as number) - cpuBefore;
    }
    const check = (await server.call({ check: true })) as Record<string, number>;
    log(`P10 ${kind}: ${renews} renews in ${Math.round(elapsed)} ms; invariant ${JSON.stringify(check)}`);
    return { rate: (renews * 1000) / elapsed, check, renews, cpuUs: cpu / renews };
  } finally {
    await server.stop();
  }
}

// BENCH_ONLY=p10 (or p3) runs one part while tuning; `npm run bench` runs everything.
const only = process.env.BENCH_ONLY;
const sections: string[] = [];
if (only === undefined || only === "p3") sections.push(await p3());
const skipP10 = only !== undefined && only !== "p10";
const pgResult = skipP10 ? undefined : await p10("postgres");
const liteResult = skipP10 ? undefined : await p10("pglite");
const ok = (r: NonNullable<typeof pgResult>) =>
  r.check.mismatched === 0 &&
  r.check.negative === 0 &&
  r.check.duplicateKeys === 0 &&
  r.check.debits === r.renews + 400
    ? "holds"
    : `BROKEN ${JSON.stringify(r.check)}`;
if (pgResult && liteResult)
  sections.push(
    [
      "## P10: renew (debit) throughput",
      "",
      "400 sessions of 100 users, every renew due (the server clock moves one period between rounds) and sent with an `Idempotency-Key`, 64 in flight, over HTTP. Each one is a transaction: session row locked, conditional debit, ledger row, new expiry, idempotency answer. Afterwards, for every user: balance = sum of ledger deltas, no negative balance, no key debited twice, one ledger row per accepted renew.",
      "",
      "| store | renews | renews/s | server CPU per renew | bar | invariant |",
      "|---|---|---|---|---|---|",
      `| PostgreSQL | ${pgResult.renews} | ${Math.round(pgResult.rate)} | ${Math.round(pgResult.cpuUs)} µs | >= 1,000/s: ${(pgResult.rate / 1000).toFixed(2)}x | ${ok(pgResult)} |`,
      `| PGlite | ${liteResult.renews} | ${Math.round(liteResult.rate)} | ${Math.round(liteResult.cpuUs)} µs | >= 300/s: ${(liteResult.rate / 300).toFixed(2)}x | ${ok(liteResult)} |`,
    ].join("\n"),
  );
process.stdout.write(`${sections.join("\n\n")}\n`);
