/**
 * One measured run in a process of its own, as production runs one organization per process (bench/run.ts starts it
 * with its own Node flags and environment): `node dist/bench/measured-run.js <label> <database> <as-of>`. Prints one
 * JSON line: the run's row of the results table, its run id and plan size. Its peak RSS is the whole process's
 * (`maxRSS`), start-up included.
 */
import { Effect, Option, Schema } from "effect"
import { runnableFile } from "../src/app/sqlite.js"
import { runOnce } from "../src/run/run.js"

const [label = "run", path = "", asOfText = "", threads = "2", plans = "reuse"] = process.argv.slice(2)
const asOf = Schema.decodeUnknownSync(Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/)))(asOfText)

const seconds = (start: number) => (performance.now() - start) / 1000
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits

const progress = (phase: string, done: number, total: number) => {
  if (process.stderr.isTTY)
    process.stderr.write(`\r${label}: ${phase} ${done.toLocaleString()} / ${total.toLocaleString()}   `)
}

const main = Effect.gen(function* () {
  const start = performance.now()
  const report = yield* runOnce({
    asOf: Option.some(asOf),
    dryRun: false,
    flags: {},
    onProgress: progress,
    // `1` as the fourth argument plans on one thread (to measure what the second costs and saves).
    ...(threads === "1" ? { planningThread: false as const } : {}),
    // `plan-all` as the fifth plans every contact, none from its plan reuse record (run/plan-reuse.ts).
    reusePlans: plans !== "plan-all"
  }).pipe(Effect.provide(runnableFile(path)))
  const wall = seconds(start)
  if (process.stderr.isTTY) process.stderr.write("\n")
  const { writes } = report
  const row = {
    run: label,
    asOf,
    seconds: round(wall),
    ...Object.fromEntries(Object.entries(report.phases).map(([phase, ms]) => [`${phase}Seconds`, round(ms / 1000)])),
    contactsPerSecond: Math.round(report.contacts.total / wall),
    planRows: report.plan.rows,
    inserted: writes.inserted,
    updated: writes.updated,
    deleted: writes.deleted,
    unchanged: writes.unchanged,
    reused: report.reused,
    planningThreads: report.planningThreads,
    contactsReused: report.contactsReused,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024)
  }
  process.stdout.write(
    `${JSON.stringify({ row, runId: report.runId, planRows: report.plan.rows, contactsReused: report.contactsReused })}\n`
  )
})

Effect.runPromise(main).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
