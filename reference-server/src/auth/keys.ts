import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { KeySet } from "@mpvstream/token";

/** The file under `DATA_DIR` holding the private signing keys. */
export const KEYS_FILE = "signing-keys.json";

async function save(file: string, keys: KeySet): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(keys.toJSON(), null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

/**
 * Loads the token signing keys from `DATA_DIR`, generating and saving them (mode 0600) on first start.
 *
 * @example
 * ```ts
 * const keys = await loadOrCreateKeys("./data");
 * ```
 */
export async function loadOrCreateKeys(dataDir: string): Promise<KeySet> {
  const file = path.join(dataDir, KEYS_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const keys = await KeySet.generate();
    await save(file, keys);
    return keys;
  }
  return KeySet.fromJSON(JSON.parse(text));
}

/**
 * Rotates the signing keys in `DATA_DIR`: a new key signs from the next start on; the previous one
 * keeps verifying (tokens it signed stay valid until they expire); older ones are retired.
 *
 * @returns the kid of the new active key.
 */
export async function rotateKeys(dataDir: string): Promise<{ active: string; retired: string[] }> {
  const file = path.join(dataDir, KEYS_FILE);
  const keys = await loadOrCreateKeys(dataDir);
  const previous = keys.active.kid;
  const next = await keys.rotate();
  const retired: string[] = [];
  for (const key of keys.keys) {
    if (key.kid !== previous && key.kid !== next.kid) {
      keys.retire(key.kid);
      retired.push(key.kid);
    }
  }
  await save(file, keys);
  return { active: next.kid, retired };
}
