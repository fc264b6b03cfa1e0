import { Effect } from "effect"

/**
 * Lets Node run timers and signal handlers. Effect's scheduler only yields to microtasks, so a long synchronous run
 * (better-sqlite3 is synchronous) would otherwise notice SIGTERM only after all its work, push included. Called once
 * per page and per batch. A real macrotask, not `Effect.sleep`, so it does not depend on the Clock (TestClock).
 */
export const yieldToEventLoop: Effect.Effect<void> = Effect.promise(
  () => new Promise<void>((resolve) => setImmediate(resolve))
)
