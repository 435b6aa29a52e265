import type { Logger } from "pino";
import { hashPassword, type PasswordCost } from "./auth/passwords.js";
import type { ServerConfig } from "./config.js";
import type { StreamStore } from "./store/streams.js";
import type { UserStore } from "./store/users.js";
import type { StreamController } from "./streams/controller.js";

/** The demo account of `MPVSTREAM_DEMO=1`. */
export const DEMO_USER = { email: "demo@local", password: "demo", points: 1000 } as const;

/**
 * Applies the start-up accounts: the admin of `MPVSTREAM_ADMIN_EMAIL`/`_PASSWORD` (created, or its
 * password and role reset), and in demo mode the demo user and the live `demo` stream.
 */
export async function seed(input: {
  config: ServerConfig;
  users: UserStore;
  streams: StreamStore;
  controller: StreamController;
  passwordCost: PasswordCost;
  clock: () => number;
  logger: Logger;
}): Promise<void> {
  const { config, users, streams, controller, passwordCost, clock, logger } = input;
  if (config.admin) {
    const passwordHash = await hashPassword(config.admin.password, passwordCost);
    const { user, created } = await users.upsert({
      email: config.admin.email,
      passwordHash,
      role: "admin",
      now: clock(),
    });
    logger.info({ userId: user.id, email: user.email }, created ? "admin created" : "admin updated");
  }
  if (!config.demo) return;
  if (config.production) throw new Error("demo mode is refused when NODE_ENV=production");
  if (!(await users.findByEmail(DEMO_USER.email))) {
    const passwordHash = await hashPassword(DEMO_USER.password, passwordCost);
    await users.create({
      email: DEMO_USER.email,
      passwordHash,
      role: "user",
      balance: DEMO_USER.points,
      now: clock(),
    });
    logger.info({ email: DEMO_USER.email }, "demo user created");
  }
  const existing = await streams.get("demo", clock());
  if (!existing) {
    await streams.create(
      {
        id: "demo",
        title: "Demo: test pattern with a clock and a tone",
        points_per_minute: 1,
        source: { kind: "test" },
      },
      clock(),
    );
  }
  const stream = await controller.setState("demo", "live");
  logger.info({ streamId: stream.id, state: stream.state }, "demo stream");
}
