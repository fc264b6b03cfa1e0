/**
 * The job's summary for the fleet dispatcher: when the dispatcher sets `FLEET_REPORT_KEY`, the job leaves one small
 * JSON object there in the store at its end, success or failure (create-only, never over another), and the dispatcher
 * reads it after the machine stopped: contacts, emails planned, whether the push met a conflict, and the database's
 * size, from which the next night's root file system is sized.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import { Cause, Effect, Exit, Option, Schema } from "effect"
import { exitCodeOf } from "../production/errors.js"
import type { RunReport } from "../run/index.js"
import { ObjectStore } from "../storage/ObjectStore.js"

export const FleetReport = Schema.Struct({
  org: Schema.String,
  runId: Schema.String,
  exitCode: Schema.Int,
  asOf: Schema.NullOr(Schema.String),
  contacts: Schema.NullOr(Schema.Int),
  emails: Schema.NullOr(Schema.Int),
  conflict: Schema.Boolean,
  databaseBytes: Schema.NullOr(Schema.Int)
})
export type FleetReport = typeof FleetReport.Type

const encode = Schema.encodeSync(Schema.parseJson(FleetReport))
const decode = Schema.decodeUnknown(Schema.parseJson(FleetReport))

/** Leaves the report at `key`; a report that cannot be written is a warning, never a different exit code. */
export const leaveFleetReport = (key: string, report: FleetReport) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const store = yield* ObjectStore
    const file = yield* fs.makeTempFileScoped({ prefix: "fleet-report-" })
    yield* fs.writeFileString(file, encode(report))
    yield* store.upload(key, file, { _tag: "IfAbsent" })
  }).pipe(
    Effect.scoped,
    Effect.catchAll((error) =>
      Effect.logWarning("fleet report not written").pipe(Effect.annotateLogs({ key, reason: error.message }))
    )
  )

/** The report a job left at `key`, if it left one (a machine that never started leaves none). */
export const readFleetReport = (key: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const store = yield* ObjectStore
    const file = yield* fs.makeTempFileScoped({ prefix: "fleet-report-" })
    yield* store.download(key, file)
    return yield* decode(yield* fs.readFileString(file))
  }).pipe(Effect.scoped, Effect.option)

/** What the job's exit says: its numbers on success; its exit code, and whether it was a conflict, on failure. */
export const reportOfExit = (
  org: string,
  runId: string,
  exit: Exit.Exit<
    { readonly report: RunReport; readonly databaseBytes: number | undefined },
    { readonly _tag: string } | unknown
  >
): FleetReport => {
  if (Exit.isSuccess(exit)) {
    const { report, databaseBytes } = exit.value
    return {
      org,
      runId,
      exitCode: 0,
      asOf: report.asOf,
      contacts: report.contacts.total,
      emails: report.plan.rows,
      conflict: false,
      databaseBytes: databaseBytes ?? null
    }
  }
  const failure = Cause.failureOption(exit.cause)
  const tag = Option.match(failure, {
    onNone: () => (Cause.isInterruptedOnly(exit.cause) ? "Interrupted" : "Defect"),
    onSome: (error) => (typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "Defect")
  })
  return {
    org,
    runId,
    exitCode: tag === "Interrupted" ? 143 : exitCodeOf(tag),
    asOf: null,
    contacts: null,
    emails: null,
    conflict: tag === "SyncConflict",
    databaseBytes: null
  }
}

/** The job, leaving its report at `key` when it ends (when the dispatcher asked for one). */
export const reportingTo =
  (key: Option.Option<string>, org: string, runId: string) =>
  <A extends { readonly report: RunReport; readonly databaseBytes: number | undefined }, E, R>(
    job: Effect.Effect<A, E, R>
  ) =>
    Option.match(key, {
      onNone: () => job,
      onSome: (reportKey) => Effect.onExit(job, (exit) => leaveFleetReport(reportKey, reportOfExit(org, runId, exit)))
    })
