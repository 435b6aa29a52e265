// npm run bench [-- name ...]: runs each workspace's bench/run.ts (all, or the named ones),
// keeps each one's Markdown section in docs/benchmarks/<name>.md, and writes docs/benchmarks.md
// from all sections under a header naming this machine and the versions.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const workspaces = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).workspaces;
// A workspace's bench/run.ts is its section; bench/run-<part>.ts files are further sections named <workspace>-<part>.
const benches = workspaces.flatMap((dir) => {
  const folder = path.join(root, dir, "bench");
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => /^run(-[a-z0-9-]+)?\.ts$/.test(file))
    .map((file) => ({
      name: path.basename(dir) + file.slice(3, -3),
      file: path.join(folder, file),
    }));
});
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !benches.some((bench) => bench.name === name));
if (unknown.length > 0) {
  console.error(
    `bench: no benchmark named ${unknown.join(", ")}; there are: ${benches.map((b) => b.name).join(", ")}`,
  );
  process.exit(2);
}

const sections = path.join(root, "docs", "benchmarks");
mkdirSync(sections, { recursive: true });
let failed = false;
for (const bench of benches.filter((b) => wanted.length === 0 || wanted.includes(b.name))) {
  console.error(`bench: ${bench.name} ...`);
  const run = spawnSync("npx", ["--no", "tsx", bench.file], {
    cwd: path.dirname(path.dirname(bench.file)),
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (run.status !== 0) {
    console.error(`bench: ${bench.name} failed (exit ${run.status}); its previous figures are kept`);
    failed = true;
    continue;
  }
  const stamp = `_Run ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC._\n\n`;
  writeFileSync(path.join(sections, `${bench.name}.md`), `${run.stdout.trim()}\n\n${stamp}`);
  process.stdout.write(run.stdout);
}

const version = (cmd, args) => {
  try {
    const out = spawnSync(cmd, args, { encoding: "utf8" });
    if (out.error) throw out.error;
    return `${out.stdout}${out.stderr}`.split("\n")[0].trim();
  } catch {
    return "not installed";
  }
};
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const header = `# Benchmarks

Produced by \`npm run bench\`; every figure is a ratio measured side by side in one run on the
machine below (shared and noisy: absolute numbers drift, ratios hold). Each section shows the
date it was last run.

Machine: ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}.
Versions: Node ${process.versions.node}; ${version("ffmpeg", ["-version"]).split(" ").slice(0, 3).join(" ")}; ${version("mpv", ["--version"]).split(" ").slice(0, 2).join(" ")}; ${version("nginx", ["-v"]).replace("nginx version: ", "")}; ${version("redis-server", ["--version"]).split(" ").slice(0, 3).join(" ")}; ${version("psql", ["--version"])}.
`;
const body = readdirSync(sections)
  .filter((file) => file.endsWith(".md"))
  .sort()
  .map((file) => readFileSync(path.join(sections, file), "utf8").trim())
  .join("\n\n");
writeFileSync(path.join(root, "docs", "benchmarks.md"), `${header}\n${body}\n`);
process.exit(failed ? 1 : 0);
