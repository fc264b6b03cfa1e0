import { createRequire } from "node:module"
import { Worker } from "node:worker_threads"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { DatabaseError } from "./errors.js"
import { mainDatabaseFile } from "./introspect.js"
import { journalMode, readPragma } from "./pragmas.js"
import { type LogUse, openLogMeter } from "./wal-index.js"

/**
 * The worker's whole program (CommonJS, run with `eval`, so no file has to sit next to a bundle): its own connection
 * to the run's file copies the write-ahead log into the file every `intervalMs`. When the run asks (`{ empty: mode }`),
 * it copies all of the log and waits for readers, so that the next write starts the log again from its beginning
 * (RESTART, or TRUNCATE when the run cannot read the log's use from the wal-index: the file's size then says it), and
 * answers whether it could and the log's frames then. At stop it empties and truncates the log, and closes.
 *
 * RESTART, not TRUNCATE, between batches: a truncated log is a file that every later commit extends again, and the
 * file system allocates and zeroes each new block (at 1 M contacts the writing thread spent 1.5–2.9 s in the
 * kernel's zeroing, for seven truncations). A restarted log is written over in place; the file keeps the size it
 * reached (about the limit plus one batch) until the write ends.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require("node:worker_threads")
const Database = require(workerData.driver)
const db = new Database(workerData.path, { fileMustExist: true })
db.pragma("synchronous = " + workerData.synchronous)
db.pragma("busy_timeout = " + workerData.busyTimeoutMs)
const checkpoint = (mode) => {
  try {
    return db.pragma("wal_checkpoint(" + mode + ")")[0]
  } catch {}
}
const timer = setInterval(() => checkpoint("PASSIVE"), workerData.intervalMs)
parentPort.on("message", (message) => {
  if (message.empty === "RESTART" || message.empty === "TRUNCATE") {
    const result = checkpoint(message.empty)
    parentPort.postMessage({ restarted: result !== undefined && result.busy === 0, frames: result ? result.log : -1 })
    return
  }
  clearInterval(timer)
  checkpoint("TRUNCATE")
  db.close()
  parentPort.close()
})
`

const INTERVAL_MS = 100
/** A worker that does not stop within this is terminated: checkpointing is never worth holding a run up. */
const STOP_TIMEOUT_MS = 5_000
/**
 * How long the worker waits for a reader (the sender) or a writer when it empties the log. After a wait in vain it
 * has copied what it could; the log stays, and the run tries again once the log has grown by another limit.
 */
const BUSY_TIMEOUT_MS = 1_000
/**
 * The log's size after which the run, between two batches, has the worker copy the rest of it and empty it (the
 * log is only reused from its start when a write finds it wholly copied: a run that commits batch after batch never
 * gives the worker that moment, and its log grew to the size of everything it wrote, 7 GB in a 3 M first run).
 */
const LOG_LIMIT_BYTES = 256 * 1024 * 1024
const SYNCHRONOUS = ["OFF", "NORMAL", "FULL", "EXTRA"] as const

const failAs = (operation: string) => Effect.mapError((cause: unknown) => new DatabaseError({ operation, cause }))

/**
 * Starts the checkpointing worker on the file at `path`. `emptyLog` has it copy the whole log into the file and start
 * it again or truncate it (waiting up to `BUSY_TIMEOUT_MS` for readers), and resumes when it has. `stop` ends it, the
 * log truncated: at once when it has already ended (it could not open the file, say), else when it has closed its
 * connection, else after `STOP_TIMEOUT_MS` by terminating it.
 */
export const startCheckpointer = (path: string, synchronous: string) =>
  Effect.sync(() => {
    const worker = new Worker(CHECKPOINTER, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve("better-sqlite3"),
        path,
        synchronous,
        intervalMs: INTERVAL_MS,
        busyTimeoutMs: BUSY_TIMEOUT_MS
      }
    })
    let ended = false
    // A worker that fails only stops checkpointing; the run goes on.
    worker.on("error", () => undefined)
    worker.once("exit", () => {
      ended = true
    })
    /**
     * Succeeds with the log's frames when it was emptied, so that the next write starts it from its beginning; or
     * with undefined when a reader kept it (or the worker has ended).
     */
    const emptyLog = (mode: "RESTART" | "TRUNCATE") =>
      Effect.async<number | undefined>((resume) => {
        if (ended) return resume(Effect.succeed(undefined))
        const done = (frames: number | undefined) => {
          worker.off("message", onMessage)
          worker.off("exit", onExit)
          resume(Effect.succeed(frames))
        }
        const onMessage = (message: unknown) => {
          if (typeof message !== "object" || message === null || !("restarted" in message)) return
          done(
            message.restarted === true && "frames" in message && typeof message.frames === "number"
              ? message.frames
              : undefined
          )
        }
        const onExit = () => done(undefined)
        worker.on("message", onMessage)
        worker.once("exit", onExit)
        worker.postMessage({ empty: mode })
        // Interrupted while waiting: stop listening (the worker finishes emptying on its own).
        return Effect.sync(() => {
          worker.off("message", onMessage)
          worker.off("exit", onExit)
        })
      })
    const stop = Effect.async<void>((resume) => {
      if (ended) return resume(Effect.void)
      const timeout = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS)
      worker.once("exit", () => {
        clearTimeout(timeout)
        resume(Effect.void)
      })
      worker.postMessage("stop")
    })
    return { emptyLog, stop }
  })

/**
 * Runs `write` with the write-ahead log checkpointed by a worker thread, on the second core (issue 11). Each batch's
 * commit then only appends its pages to the log; without this, the committing connection also copied the log into the
 * file and synced it before the next batch could start (a first run's write at 100k: 4.65 → 4.19 s; at 1M the part of
 * the write outside its transactions fell by 6–10 s in every run kind, BENCHMARKS.md).
 * `write` gets the effect to run between two batches (outside any transaction): once the log is larger than
 * `logLimitBytes` (256 MiB), it waits while the worker copies the rest of the log and empties it, so the log stays
 * about that size however much the run writes; and `logFull`, whether that effect would do anything now.
 * The worker's connection syncs as the run's does (`synchronous`), so nothing is less durable. Afterwards the
 * connection checkpoints at its commits again. A database in memory has no log and runs `write` as it is; a worker
 * that fails leaves the log to grow until the write ends, as the run's commits would not copy it meanwhile.
 */
export const withBackgroundCheckpoints = <A, E, R>(
  write: (betweenBatches: Effect.Effect<void>, logFull: () => boolean) => Effect.Effect<A, E, R>,
  options: { readonly logLimitBytes?: number } = {}
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const path = yield* mainDatabaseFile.pipe(failAs("read the database's file name"))
    if (path === "" || (yield* journalMode()) !== "wal") return yield* write(Effect.void, () => false)
    const synchronous = SYNCHRONOUS[yield* readPragma("synchronous")] ?? "FULL"
    const autocheckpoint = yield* readPragma("wal_autocheckpoint")
    const checkpointEvery = (pages: number) =>
      sql.unsafe(`PRAGMA wal_autocheckpoint = ${pages}`).pipe(failAs("set wal_autocheckpoint"))
    const restore = checkpointEvery(autocheckpoint).pipe(Effect.ignore)
    const logLimit = options.logLimitBytes ?? LOG_LIMIT_BYTES
    return yield* Effect.acquireUseRelease(
      Effect.zipRight(
        checkpointEvery(0),
        startCheckpointer(path, synchronous).pipe(
          Effect.map((checkpointer) => ({ checkpointer, meter: openLogMeter(path) })),
          Effect.onError(() => restore)
        )
      ),
      ({ checkpointer, meter }) => {
        // After an attempt that readers kept from emptying the log, the next waits until it has grown by another limit.
        let threshold = logLimit
        // The log's frames when it was last emptied: the header says so until the next write starts the log again.
        let emptiedAt: number | undefined
        const logUse = (): LogUse => {
          const use = meter.read()
          if (use.frames !== undefined && use.frames === emptiedAt) return { frames: use.frames, bytes: 0 }
          emptiedAt = undefined
          return use
        }
        const logFull = () => logUse().bytes > threshold
        const betweenBatches = Effect.suspend(() => {
          const use = logUse()
          if (use.bytes <= threshold) return Effect.void
          // Without the header the file's size is all the run can see, so the log is truncated as before.
          return Effect.andThen(checkpointer.emptyLog(use.frames === undefined ? "TRUNCATE" : "RESTART"), (frames) =>
            Effect.sync(() => {
              emptiedAt = frames
              threshold = (frames === undefined ? logUse().bytes : 0) + logLimit
            })
          )
        })
        return write(betweenBatches, logFull)
      },
      ({ checkpointer, meter }) =>
        Effect.zipRight(
          Effect.sync(() => meter.close()),
          Effect.zipRight(checkpointer.stop, restore)
        )
    )
  })
