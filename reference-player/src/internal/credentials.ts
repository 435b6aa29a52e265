import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import type { TokenStore, Tokens } from "@mpvstream/client";

/** What `credentials.json` holds: the server logged in to, who, and the token pair. No password. */
export interface Credentials {
  readonly server: string;
  readonly email: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt?: number;
}

/** `$XDG_CONFIG_HOME/mpvstream`, or `~/.config/mpvstream` when XDG_CONFIG_HOME is unset or relative. */
export function configDir(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(env.HOME ?? homedir(), ".config");
  return path.join(base, "mpvstream");
}

/**
 * The credentials file, `credentials.json` in a 0700 directory, written 0600 and atomically
 * (a temporary file in the same directory, then a rename), so a reader never sees half a file.
 */
export class CredentialsFile {
  readonly dir: string;
  readonly file: string;
  readonly #warn: (message: string) => void;

  constructor(dir: string, warn: (message: string) => void = () => {}) {
    this.dir = dir;
    this.file = path.join(dir, "credentials.json");
    this.#warn = warn;
  }

  /** The saved credentials, or `undefined` when there are none (or the file is unreadable). */
  async read(): Promise<Credentials | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch {
      return undefined;
    }
    await this.#tighten();
    try {
      const data = JSON.parse(text) as Record<string, unknown>;
      const { server, email, access_token, refresh_token, expires_at } = data;
      if (
        typeof server !== "string" ||
        typeof email !== "string" ||
        typeof access_token !== "string" ||
        typeof refresh_token !== "string"
      ) {
        return undefined;
      }
      return {
        server,
        email,
        accessToken: access_token,
        refreshToken: refresh_token,
        ...(typeof expires_at === "number" ? { expiresAt: expires_at } : {}),
      };
    } catch {
      this.#warn(`Ignoring ${this.file}: it is not valid JSON. Log in again.`);
      return undefined;
    }
  }

  /** Writes the credentials (directory 0700, file 0600). */
  async write(credentials: Credentials): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    const body = {
      server: credentials.server,
      email: credentials.email,
      access_token: credentials.accessToken,
      refresh_token: credentials.refreshToken,
      ...(credentials.expiresAt === undefined ? {} : { expires_at: credentials.expiresAt }),
    };
    const temporary = `${this.file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: "wx" });
      await chmod(temporary, 0o600);
      await rename(temporary, this.file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** Deletes the file. */
  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }

  /** A file readable by others (copied around, or an old umask) is made private again, with a warning. */
  async #tighten(): Promise<void> {
    try {
      const info = await stat(this.file);
      if ((info.mode & 0o077) !== 0) {
        await chmod(this.file, 0o600);
        this.#warn(`${this.file} was readable by other users; it is now private (0600).`);
      }
    } catch {
      // Gone meanwhile: nothing to tighten.
    }
  }
}

/**
 * The client's {@link TokenStore} over the credentials file. `get()` reads the file each time, so
 * a token refreshed by another `mpvstream` process (a second terminal) is picked up instead of
 * replaying a rotated refresh token, which would revoke the whole login. `clear()` (the client
 * calls it when a refresh is refused) deletes the file only if it still holds the tokens this
 * process used: a newer login written meanwhile by another process is kept.
 */
export class FileTokenStore implements TokenStore {
  readonly #file: CredentialsFile;
  readonly #server: string;
  #email: string;
  #lastSeen: string | undefined;

  constructor(file: CredentialsFile, server: string, email = "") {
    this.#file = file;
    this.#server = server;
    this.#email = email;
  }

  /** The email saved with the tokens (set by `login`). */
  set email(email: string) {
    this.#email = email;
  }

  async get(): Promise<Tokens | undefined> {
    const saved = await this.#file.read();
    if (saved === undefined || saved.server !== this.#server) return undefined;
    this.#email = saved.email;
    this.#lastSeen = saved.refreshToken;
    return {
      accessToken: saved.accessToken,
      refreshToken: saved.refreshToken,
      ...(saved.expiresAt === undefined ? {} : { expiresAt: saved.expiresAt }),
    };
  }

  async set(tokens: Tokens): Promise<void> {
    await this.#file.write({ server: this.#server, email: this.#email, ...tokens });
    this.#lastSeen = tokens.refreshToken;
  }

  async clear(): Promise<void> {
    const saved = await this.#file.read();
    if (saved === undefined) return;
    if (
      saved.server === this.#server &&
      (this.#lastSeen === undefined || saved.refreshToken === this.#lastSeen)
    ) {
      await this.#file.remove();
    }
  }
}
