/**
 * Last-resort cleanup of launched mpv processes and socket directories when this process exits
 * or is interrupted: no orphan mpv and no socket file left behind.
 */
const tasks = new Set<() => void>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function runAll(): void {
  for (const task of tasks) {
    try {
      task();
    } catch {
      // best effort: the process is going away
    }
  }
  tasks.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Only when nobody else handles the signal: then Node would have died at once, so clean up and
  // die the same way. An application with its own handler decides when to close its players.
  if (process.listenerCount(signal) !== 1) return;
  runAll();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  process.on("exit", runAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.off("exit", runAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Registers a synchronous cleanup task; returns the function that unregisters it. */
export function onProcessExit(task: () => void): () => void {
  if (tasks.size === 0) install();
  tasks.add(task);
  return () => {
    if (tasks.delete(task) && tasks.size === 0) uninstall();
  };
}
