import { createRequire } from "node:module"
import { Worker } from "node:worker_threads"
import { Effect } from "effect"
import { CHANGE_TRIGGERS, CHANGES_TABLE, dropTriggers, QUIET_TRIGGERS } from "./change-tracking.js"
import {
  deleteText,
  ENROLLMENT_UPDATE,
  insertOfRunText,
  NEW_ROW_VALUES,
  updateOneText,
  updateValuesPerRow
} from "./plan-writes.js"
import { cacheKibOf, readPragma } from "./pragmas.js"
import { ColumnBuffers, fillValues, transferables, type ValueColumnsData } from "./value-columns.js"

/** Rows per INSERT or DELETE statement on the thread, as on the run's own connection (updates go one to a statement). */
const ROWS_PER_STATEMENT = 500
/** Rows sent in one message: small enough that the values in flight stay a few MB, large enough to cost nothing. */
export const ROWS_PER_MESSAGE = 5_000
/** Messages of rows sent and not yet taken by the thread: the run's thread prepares at most this far ahead. */
const MESSAGES_IN_FLIGHT = 2
/**
 * A first run's thread's page cache: small, so that SQLite writes a batch's new pages into the file as it goes and the
 * kernel writes them to the disk while the thread inserts more. With a cache that held a whole batch (a batch of 25,000
 * contacts dirties about 70 MB of pages), every page reached the file at the commit, and the commit's sync waited for
 * all of them while the thread did nothing (1 M first runs, alternating: write 29.5–37.8 s with 96 MiB, 32.9 s on
 * average over seven runs, against 26.8–34.9 s with 8 MiB, 29.5 s over eight; peak RSS 480–530 against 477–496 MiB;
 * 2, 4, 16 and 32 MiB, one to three runs each, did no better than 8). The rollback journal a first run writes with
 * (rollback-journal.ts) journals none of these new pages, so writing them early costs no more than at the commit.
 * (Under the write-ahead log, where first runs wrote before session 27, the opposite held: a page written early went
 * into the log and again when changed, and 96 MiB beat 64.) A night's thread, which writes under the log, has the
 * run's cache: with 8 MiB, 1 M first nights wrote in 19.7 and 21.4 s against 18.1 and 19.6 s, alternating.
 */
export const FIRST_RUN_CACHE_KIB = 8 * 1024

/** What a message of rows asks the thread to do with them (each row's values as `plan-writes.ts` lays them out). */
export type WriteForm = "insert" | "update" | "updateWithStatus" | "delete"
/** A thread that does not stop within this is terminated (it rolls back what it has not committed). */
const STOP_TIMEOUT_MS = 5_000

/**
 * The thread's whole program (CommonJS, run with `eval`, so no file has to sit next to a bundle). Its own connection
 * writes the batches it is sent, one transaction each, in the order sent:
 * - `begin`: opens the transaction and checks that nobody else wrote since the run's pass 1 (every change-tracking
 *   trigger present, and the change counter at `expected` plus the counted changes of the batches it committed:
 *   the run's own trust check, write-plan.ts). If not, it rolls back, and refuses this batch and every later one.
 *   If so, it drops the counter's insert and update triggers until the commit (change-tracking.ts QUIET_TRIGGERS).
 * - `rows`: inserts, updates or deletes them (their values in columns: db/value-columns.ts), as their `form` says
 *   (answered `taken` whatever happens, so that the sender never waits in vain).
 * - `end`: updates the batch's enrollments, creates the dropped triggers again, commits, and answers `committed` with
 *   the changes the counter counted (its deletes and enrollments: db/change-tracking.ts);
 *   or `refused` with the reason when the batch was refused, abandoned or failed. A failure refuses every later batch.
 * - `abandon`: rolls the open batch back and answers `returned` (the run writes that batch itself, then goes on
 *   sending).
 */
const WRITER = `
const { parentPort, workerData } = require("node:worker_threads")
const Database = require(workerData.driver)
const db = new Database(workerData.path, { fileMustExist: true })
db.pragma("foreign_keys = OFF")
db.pragma("synchronous = " + workerData.synchronous)
db.pragma("busy_timeout = " + workerData.busyTimeoutMs)
db.pragma("cache_size = " + workerData.cacheSize)
db.pragma("wal_autocheckpoint = " + workerData.autocheckpoint)
const perStatement = workerData.rowsPerStatement
const forms = {}
for (const [form, { valuesPerRow, manySql, oneSql }] of Object.entries(workerData.forms)) {
  forms[form] = {
    perRow: valuesPerRow,
    many: manySql === undefined ? undefined : db.prepare(manySql),
    one: db.prepare(oneSql),
    // Each statement's values, refilled for every statement (better-sqlite3 reads them during run).
    manyValues: new Array(valuesPerRow * perStatement),
    oneValues: new Array(valuesPerRow)
  }
}
// Embedded from value-columns.ts (expressions, so a name the bundler gave them does not matter).
const fillValues = ${fillValues.toString()}
const transferables = ${transferables.toString()}
const updateEnrollment = db.prepare(workerData.enrollmentSql)
const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'email_scheduler_changed_%'").pluck()
const version = db.prepare(workerData.versionSql).pluck()
// Embedded from change-tracking.ts, as fillValues is.
const dropTriggers = ${dropTriggers.toString()}
// What creates again the quiet triggers the open transaction dropped (change-tracking.ts QUIET_TRIGGERS).
let restoreTriggers
let counted = 0
let batchChanges = 0
let open = -1
let openedAt = 0
let refusal
const rollback = () => {
  open = -1
  // The rollback gives the dropped triggers back.
  restoreTriggers = undefined
  try {
    if (db.inTransaction) db.exec("ROLLBACK")
  } catch {}
}
const refuseFromNowOn = (reason) => {
  rollback()
  if (refusal === undefined) refusal = reason
}
const untouched = (expected) => {
  const present = new Set(triggers.all())
  return workerData.triggerNames.every((name) => present.has(name)) && version.get() === expected + counted
}
const write = (form, columns) => {
  const { perRow, many, one, manyValues, oneValues } = forms[form]
  const whole = perRow * perStatement
  let changes = 0
  let at = 0
  if (many !== undefined) {
    for (; at + whole <= columns.length; at += whole) {
      fillValues(columns, at, whole, manyValues)
      changes += many.run(manyValues).changes
    }
  }
  for (; at < columns.length; at += perRow) {
    fillValues(columns, at, perRow, oneValues)
    changes += one.run(oneValues).changes
  }
  if (form === "delete") batchChanges += changes
}
const failed = (error) => "the writing thread failed: " + (error && error.message ? error.message : String(error))
parentPort.on("message", (message) => {
  switch (message.kind) {
    case "begin":
      if (refusal !== undefined) return
      try {
        openedAt = performance.now()
        db.exec("BEGIN IMMEDIATE")
        open = message.batch
        batchChanges = 0
        if (!untouched(message.expected)) refuseFromNowOn("someone else may have written since the plan was made")
        else restoreTriggers = dropTriggers(db, workerData.quietTriggers)
      } catch (error) {
        refuseFromNowOn(failed(error))
      }
      return
    case "rows":
      try {
        if (open === message.batch) write(message.form, message.columns)
      } catch (error) {
        refuseFromNowOn(failed(error))
      }
      // The column buffers go back to the run for its next messages.
      parentPort.postMessage(
        { kind: "taken", numbers: message.columns.numbers, kinds: message.columns.kinds },
        transferables(message.columns)
      )
      return
    case "end":
      if (open !== message.batch) {
        parentPort.postMessage({ kind: "refused", batch: message.batch, reason: refusal })
        return
      }
      try {
        let changes = batchChanges
        for (const values of message.enrollments) changes += updateEnrollment.run(values).changes
        if (restoreTriggers !== undefined) restoreTriggers()
        restoreTriggers = undefined
        db.exec("COMMIT")
        open = -1
        counted += changes
        const ms = performance.now() - openedAt
        parentPort.postMessage({ kind: "committed", batch: message.batch, changes, ms })
      } catch (error) {
        refuseFromNowOn(failed(error))
        parentPort.postMessage({ kind: "refused", batch: message.batch, reason: refusal })
      }
      return
    case "abandon":
      if (open === message.batch) rollback()
      parentPort.postMessage({ kind: "returned", batch: message.batch })
      return
    default:
      rollback()
      db.close()
      parentPort.close()
  }
})
`

/** What became of a batch sent to the thread. */
export type ThreadAnswer =
  /** Committed: `changes` the change counter counted (enrollments), `ms` from its BEGIN to its COMMIT. */
  | { readonly _tag: "committed"; readonly batch: number; readonly changes: number; readonly ms: number }
  /**
   * Not written: the thread rolled it back (`reason`), or stopped before it answered, when nobody knows whether it
   * committed (`unknown`: the run must read the batch's rows again before it writes them itself).
   */
  | { readonly _tag: "refused"; readonly batch: number; readonly reason: string | undefined; readonly unknown: boolean }
  /** Taken back by the run (`abandon`) and rolled back. */
  | { readonly _tag: "returned"; readonly batch: number }

export interface WriteThread {
  /** Opens batch `batch`'s transaction; the thread checks the change counter is `expected` plus its own changes. */
  readonly begin: (batch: number, expected: number) => void
  /**
   * Sends rows of the open batch to insert (`pushNewRowValues`' values), update (`pushUpdateValues`') or delete (ids),
   * as columns whose buffers move to the thread; waits while `MESSAGES_IN_FLIGHT` messages are not yet taken.
   */
  readonly rows: (batch: number, form: WriteForm, columns: ValueColumnsData) => Effect.Effect<void>
  /** The column buffers the thread gave back, for the next messages' `ValueColumns`. */
  readonly buffers: ColumnBuffers
  /** Ends the batch: its enrollment updates (`enrollmentValues` each), then the commit. */
  readonly end: (batch: number, enrollments: ReadonlyArray<ReadonlyArray<unknown>>) => void
  /** Rolls the open batch back; it is answered `returned`. */
  readonly abandon: (batch: number) => void
  /** The answer for the oldest batch ended and not answered yet (batches are answered in the order they end). */
  readonly answer: Effect.Effect<ThreadAnswer>
}

/**
 * Starts the thread that writes a run's batches (run/thread-batches.ts) on the file at `path`, with the run's
 * connection's settings (its durability, its wait for locks, its checkpoints and its page cache, or `cacheKib` when
 * given: `threadCacheSize`). The thread's connection starts in milliseconds (it loads nothing but better-sqlite3).
 * Scoped: the thread stops with the scope, rolling back a batch it has not committed.
 */
export const startWriteThread = (options: {
  readonly path: string
  readonly runId: string
  readonly now: string
  readonly cacheKib?: number
}) =>
  Effect.gen(function* () {
    const synchronous = yield* readPragma("synchronous")
    const cacheSize = threadCacheSize(yield* readPragma("cache_size"), options.cacheKib)
    const busyTimeoutMs = yield* readPragma("busy_timeout")
    // 0 while db/background-checkpoints.ts's worker checkpoints: the thread's commits then only append to the log.
    const autocheckpoint = yield* readPragma("wal_autocheckpoint")
    return yield* Effect.acquireRelease(
      Effect.sync(() =>
        threadHandle(
          new Worker(WRITER, {
            eval: true,
            workerData: {
              driver: createRequire(import.meta.url).resolve("better-sqlite3"),
              path: options.path,
              synchronous,
              cacheSize,
              busyTimeoutMs,
              autocheckpoint,
              rowsPerStatement: ROWS_PER_STATEMENT,
              forms: writeForms(options.runId, options.now),
              enrollmentSql: ENROLLMENT_UPDATE,
              triggerNames: CHANGE_TRIGGERS.map((trigger) => trigger.name),
              quietTriggers: QUIET_TRIGGERS,
              versionSql: `SELECT version FROM ${CHANGES_TABLE} WHERE id = 1`
            }
          })
        )
      ),
      (thread) => thread.stop
    )
  })

/** The thread's `cache_size`: `cacheKib` KiB when given, smaller or larger than the run's, else the run's `runCache`. */
export const threadCacheSize = (runCache: number, cacheKib: number | undefined): number =>
  -(cacheKib ?? cacheKibOf(runCache))

/**
 * Each form's statements: for `ROWS_PER_STATEMENT` rows (inserts and deletes: one statement for many rows saves
 * SQLite work) and for one (updates go one row to a statement: plan-writes.ts `updateOneText`).
 */
const writeForms = (runId: string, now: string): Record<WriteForm, object> => {
  const form = (valuesPerRow: number, text: (rows: number) => string) => ({
    valuesPerRow,
    manySql: text(ROWS_PER_STATEMENT),
    oneSql: text(1)
  })
  return {
    insert: form(NEW_ROW_VALUES, (rows) => insertOfRunText(rows, runId, now)),
    update: { valuesPerRow: updateValuesPerRow(false), oneSql: updateOneText(false) },
    updateWithStatus: { valuesPerRow: updateValuesPerRow(true), oneSql: updateOneText(true) },
    delete: form(1, deleteText)
  }
}

/** The run's side of the thread: messages out, answers in order, and the wait for room. */
const threadHandle = (worker: Worker): WriteThread & { readonly stop: Effect.Effect<void> } => {
  let stopped = false
  let inFlight = 0
  /** Batches ended, oldest first, not yet answered. */
  const ended: Array<number> = []
  const answers: Array<ThreadAnswer> = []
  const wakers = new Set<() => void>()
  const wake = () => {
    for (const waker of [...wakers]) waker()
  }
  const buffers = new ColumnBuffers()
  worker.on("message", (message: unknown) => {
    const answer = threadAnswer(message)
    if (answer === "taken") {
      inFlight--
      if (isTakenBuffers(message)) buffers.give(message.numbers, message.kinds)
    } else if (answer !== undefined) {
      ended.shift()
      answers.push(answer)
    }
    wake()
  })
  // A thread that fails or exits answers every batch it holds as unknown, and takes nothing more.
  const gone = () => {
    if (stopped) return
    stopped = true
    for (const batch of ended.splice(0)) answers.push({ _tag: "refused", batch, reason: undefined, unknown: true })
    wake()
  }
  worker.on("error", gone)
  worker.once("exit", gone)
  /** Resumes once `ready()` holds, checking again after every message. */
  const until = (ready: () => boolean) =>
    Effect.async<void>((resume) => {
      if (ready()) return resume(Effect.void)
      const waker = () => {
        if (!ready()) return
        wakers.delete(waker)
        resume(Effect.void)
      }
      wakers.add(waker)
      return Effect.sync(() => wakers.delete(waker))
    })
  const post = (message: object) => {
    if (!stopped) worker.postMessage(message)
  }
  const endWith = (batch: number, message: object) => {
    if (stopped) answers.push({ _tag: "refused", batch, reason: undefined, unknown: true })
    else {
      ended.push(batch)
      worker.postMessage(message)
    }
  }
  return {
    buffers,
    begin: (batch, expected) => post({ kind: "begin", batch, expected }),
    rows: (batch, form, columns) =>
      Effect.zipRight(
        Effect.sync(() => {
          if (stopped) return
          inFlight++
          worker.postMessage({ kind: "rows", batch, form, columns }, transferables(columns))
        }),
        until(() => stopped || inFlight < MESSAGES_IN_FLIGHT)
      ),
    end: (batch, enrollments) => endWith(batch, { kind: "end", batch, enrollments }),
    abandon: (batch) => endWith(batch, { kind: "abandon", batch }),
    answer: Effect.zipRight(
      until(() => answers.length > 0 || (stopped && ended.length === 0)),
      Effect.sync(
        (): ThreadAnswer => answers.shift() ?? { _tag: "refused", batch: -1, reason: undefined, unknown: true }
      )
    ),
    stop: Effect.async<void>((resume) => {
      if (stopped) return resume(Effect.void)
      const timeout = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS)
      worker.once("exit", () => {
        clearTimeout(timeout)
        resume(Effect.void)
      })
      worker.postMessage({ kind: "stop" })
    })
  }
}

/** A `taken` message's column buffers, given back. */
const isTakenBuffers = (message: unknown): message is { numbers: Float64Array; kinds: Uint8Array } =>
  typeof message === "object" &&
  message !== null &&
  "numbers" in message &&
  message.numbers instanceof Float64Array &&
  "kinds" in message &&
  message.kinds instanceof Uint8Array

/** A message of the thread as the run reads it: `taken`, an answer, or undefined for anything else. */
const threadAnswer = (message: unknown): "taken" | ThreadAnswer | undefined => {
  if (typeof message !== "object" || message === null || !("kind" in message)) return undefined
  if (message.kind === "taken") return "taken"
  const batch = "batch" in message && typeof message.batch === "number" ? message.batch : -1
  if (
    message.kind === "committed" &&
    "changes" in message &&
    typeof message.changes === "number" &&
    "ms" in message &&
    typeof message.ms === "number"
  )
    return { _tag: "committed", batch, changes: message.changes, ms: message.ms }
  if (message.kind === "returned") return { _tag: "returned", batch }
  if (message.kind === "refused") {
    const reason = "reason" in message && typeof message.reason === "string" ? message.reason : undefined
    return { _tag: "refused", batch, reason, unknown: false }
  }
  return undefined
}
