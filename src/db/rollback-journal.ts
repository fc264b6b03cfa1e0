import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { DatabaseError } from "./errors.js"
import { journalMode, readPragma, withPragmas } from "./pragmas.js"

/**
 * A bulk write (a first run) with a rollback journal instead of the write-ahead log (issue 11). Its rows go into pages
 * the file did not have when each batch began, and SQLite journals only the pages a transaction changes that existed
 * before it: so each new page is written once, into the file. Under the write-ahead log every page was written to the
 * log and then copied into the file by the checkpointing worker, which took a core the write thread needed (1 M first
 * runs, alternating: the write 30.7–33.9 s against 32.9–42.3 s; BENCHMARKS.md, session 27). A night changes pages
 * that exist, which either journal writes twice: it keeps the log (measured, no gain).
 *
 * Leaving the write-ahead log needs the file to itself: when another connection has it open (a sender reading), the
 * switch fails at once and the write keeps the log, as before. Afterwards the file is put back in WAL mode, whether
 * the write succeeded or not; if another connection prevents that, the next run's `prepareForWriting` does it.
 */
const JOURNAL = "truncate"

/**
 * While the journal is a rollback journal, every commit syncs the journal and then the file (FULL): NORMAL is safe from
 * corruption only under the write-ahead log. A file synced with OFF (the production job's disposable copy) stays so.
 */
const SYNCHRONOUS_NORMAL = 1
const SYNCHRONOUS_FULL = 2

/**
 * Leaves the write-ahead log for a rollback journal, without waiting for a lock: true when it did. No other connection
 * of the run may hold the file then (the planning thread has stopped, the checkpointing worker not started).
 */
const leaveTheLog = journalMode(JOURNAL).pipe(
  withPragmas([["busy_timeout", 0]]),
  Effect.map((mode) => mode === JOURNAL),
  Effect.orElseSucceed(() => false)
)

/** Puts the file back in WAL mode (waiting for a reader as long as the connection's busy timeout). */
const backToTheLog = journalMode("wal").pipe(
  Effect.filterOrFail((mode) => mode === "wal"),
  Effect.catchAll((cause) =>
    Effect.logWarning(
      "The database stays in rollback-journal mode after a first run (another connection holds it); the next run restores WAL."
    ).pipe(Effect.annotateLogs({ cause: String(cause) }))
  )
)

/**
 * Runs `write` with a rollback journal when the file can leave the write-ahead log now (see above), and puts it back
 * in WAL mode afterwards, however `write` ends. A file in memory or not in WAL mode runs `write` as it is.
 */
export const withRollbackJournal = <A, E, R>(
  write: Effect.Effect<A, E, R>
): Effect.Effect<A, E | DatabaseError, R | SqlClient.SqlClient> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function* () {
      const current = yield* journalMode().pipe(Effect.orElseSucceed(() => undefined))
      if (current !== "wal" || !(yield* leaveTheLog)) return yield* restore(write)
      const synchronous = yield* readPragma("synchronous").pipe(Effect.orElseSucceed(() => SYNCHRONOUS_FULL))
      const written =
        synchronous === SYNCHRONOUS_NORMAL
          ? restore(write).pipe(withPragmas([["synchronous", SYNCHRONOUS_FULL]]))
          : restore(write)
      yield* Effect.logDebug("A first run writes with a rollback journal.")
      return yield* written.pipe(Effect.ensuring(backToTheLog))
    })
  )
