/**
 * The scheduler's benchmark (issue 6). In one process, on an organization of N generated contacts (cached per N and
 * seed in bench/.cache):
 *   - a fresh run (no scheduler rows yet), a re-run (same as-of, nothing changes) and a next-day run (as-of + 1),
 *     each with its wall time per phase, contacts/s, rows written and peak RSS;
 *   - the I/O floor: reading the contacts and inserting the fresh plan's rows, nothing else (bench/floor.ts).
 * Prints a table and writes bench/results/<N>-<seed>.json.
 *
 *   npm run bench -- --contacts 1000000 [--seed 1]
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { parseArgs } from "node:util"
import { Effect, Option } from "effect"
import { databaseFile } from "../src/app/sqlite.js"
import { runMigrations } from "../src/db/migrations.js"
import { addDays, type IsoDate } from "../src/domain/dates.js"
import { generateDatabase } from "../src/generate/generate.js"
import { type RunReport, runOnce } from "../src/scheduling/run.js"
import { measureFloor, rowShape } from "./floor.js"
import { rssSampler } from "./rss.js"

const { values } = parseArgs({
  options: { contacts: { type: "string", default: "100000" }, seed: { type: "string", default: "1" } }
})
const contacts = Number(values.contacts)
const seed = Number(values.seed)
const AS_OF: IsoDate = "2026-11-29"
mkdirSync("bench/.cache", { recursive: true })
mkdirSync("bench/results", { recursive: true })
const organization = `bench/.cache/org-${contacts}-${seed}.sqlite`
const work = `bench/.cache/work-${contacts}-${seed}.sqlite`

const seconds = (start: number) => (performance.now() - start) / 1000
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits

const progress = (label: string) => (phase: string, done: number, total: number) => {
  if (process.stderr.isTTY)
    process.stderr.write(`\r${label}: ${phase} ${done.toLocaleString()} / ${total.toLocaleString()}   `)
}

const removeDatabase = (path: string) => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true })
}

const measuredRun = (label: string, asOf: IsoDate) =>
  Effect.gen(function* () {
    const rss = rssSampler()
    const start = performance.now()
    const report: RunReport = yield* runOnce({
      asOf: Option.some(asOf),
      dryRun: false,
      flags: {},
      onProgress: progress(label)
    }).pipe(Effect.provide(databaseFile(work)))
    const wall = seconds(start)
    if (process.stderr.isTTY) process.stderr.write("\n")
    const { writes } = report
    return {
      report,
      row: {
        run: label,
        asOf,
        seconds: round(wall),
        ...Object.fromEntries(
          Object.entries(report.phases).map(([phase, ms]) => [`${phase}Seconds`, round(ms / 1000)])
        ),
        contactsPerSecond: Math.round(report.contacts.total / wall),
        planRows: report.plan.rows,
        inserted: writes.inserted,
        updated: writes.updated,
        deleted: writes.deleted,
        unchanged: writes.unchanged,
        peakRssMiB: rss.stop()
      }
    }
  })

const main = Effect.gen(function* () {
  let generator: { seconds: number; contactsPerSecond: number; peakRssMiB: number } | undefined
  if (!existsSync(organization)) {
    const rss = rssSampler()
    const start = performance.now()
    yield* generateDatabase({ path: organization, contacts, seed, asOf: AS_OF, force: false })
    const wall = seconds(start)
    generator = { seconds: round(wall), contactsPerSecond: Math.round(contacts / wall), peakRssMiB: rss.stop() }
  }
  removeDatabase(work)
  copyFileSync(organization, work)
  // Migrations run once in an organization's life, not nightly: applied before the clock starts.
  yield* runMigrations.pipe(Effect.provide(databaseFile(work)))

  const fresh = yield* measuredRun("fresh", AS_OF)
  const shape = rowShape(work, fresh.report.runId)
  const rerun = yield* measuredRun("re-run", AS_OF)
  const nextDay = yield* measuredRun("next day", addDays(AS_OF, 1))
  const floor = measureFloor(work, shape)
  removeDatabase(work)

  const runs = [fresh.row, rerun.row, nextDay.row]
  const result = {
    contacts,
    seed,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
    generator,
    runs,
    floor: {
      seconds: round(floor.seconds),
      readSeconds: round(floor.readSeconds),
      insertSeconds: round(floor.insertSeconds),
      rowsInserted: floor.rowsInserted,
      averageMetadataBytes: shape.metadataLength
    },
    ratio: round(fresh.row.seconds / floor.seconds),
    rerunShareOfFresh: round(rerun.row.seconds / fresh.row.seconds),
    microsecondsPerContact: round((fresh.row.seconds * 1e6) / contacts, 1),
    processPeakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024)
  }
  writeFileSync(`bench/results/${contacts}-${seed}.json`, `${JSON.stringify(result, null, 2)}\n`)
  console.log(`${contacts.toLocaleString()} contacts, seed ${seed}, ${result.machine}`)
  if (generator !== undefined)
    console.log(`generator: ${generator.seconds} s (${generator.contactsPerSecond.toLocaleString()} contacts/s)`)
  console.table(runs)
  console.log(
    `I/O floor: ${result.floor.seconds} s (read ${result.floor.readSeconds} s, insert ${floor.rowsInserted.toLocaleString()} rows ${result.floor.insertSeconds} s)`
  )
  console.log(`ratio = fresh run / floor = ${result.ratio}; re-run / fresh = ${result.rerunShareOfFresh}`)
})

Effect.runPromise(main).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
