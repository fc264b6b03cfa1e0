/**
 * The scheduler's benchmark (issues 6 and 11). On an organization of N generated contacts (cached per N and seed in
 * bench/.cache), each run in a process of its own (bench/measured-run.ts) with the production job's Node flags and
 * environment (package.json `bench`, as the Dockerfile starts the job):
 *   - fresh: the first run (no scheduler rows yet; the sender's history is there);
 *   - re-run: the same run again, nothing changed;
 *   - nightly: a sender sends what is due, then the next day's run (and how many future rows changed date);
 *   - second night: the sender again, then the run of the day after (a night in the steady state: the first night
 *     after a fresh plan rewrites the explanations of the rows whose planned date passed, spec §5.6.3);
 *   - third night: the sender again, then the next day's run: the first night that can stage contacts from their plan
 *     reuse records (run/plan-reuse.ts; the second night planned again every contact the first night wrote), and the
 *     same night planning every contact (`plan-all`), on a copy taken before it;
 *   - predecessor: a fresh run on a database of the old program's shape with N contacts (no campaigns, no history);
 *   - the command line: `--help`, and `explain` of one contact on the organization;
 *   - the I/O floor: reading the contacts and inserting the fresh plan's rows, nothing else (bench/floor.ts);
 *   - the nightly I/O floor: reading the stored rows and making the nightly run's writes, nothing else
 *     (bench/nightly-floor.ts).
 * Each run's row has its peak RSS and the peak size of its journals, the write-ahead log or a first run's rollback
 * journal (bench/log-sampler.ts).
 * Prints a table and writes bench/results/<N>-<seed>.json.
 *
 *   npm run bench -- --contacts 1000000 [--seed 1]
 */
import { spawn, spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { parseArgs } from "node:util"
import { Effect, Schema } from "effect"
import { runnableFile } from "../src/app/sqlite.js"
import { runMigrations } from "../src/db/migrations.js"
import { addDays, type IsoDate } from "../src/domain/dates.js"
import { generateDatabase } from "../src/generate/generate.js"
import { buildPredecessorShapedDatabase } from "../test/support/predecessor.js"
import { measureFloor, rowShape } from "./floor.js"
import { copyBeforeNight, measureNightlyFloor } from "./nightly-floor.js"
import { rssSampler } from "./rss.js"
import { changedSinceSnapshot, fileBytes, sendDue, snapshotFutureRows } from "./stability.js"

const { values } = parseArgs({
  options: { contacts: { type: "string", default: "100000" }, seed: { type: "string", default: "1" } }
})
const contacts = Number(values.contacts)
const seed = Number(values.seed)
const AS_OF: IsoDate = "2026-11-29"
const NEXT_DAY = addDays(AS_OF, 1)
const SECOND_NIGHT = addDays(AS_OF, 2)
const THIRD_NIGHT = addDays(AS_OF, 3)
mkdirSync("bench/.cache", { recursive: true })
mkdirSync("bench/results", { recursive: true })
const organization = `bench/.cache/org-${contacts}-${seed}.sqlite`
const predecessor = `bench/.cache/predecessor-${contacts}-${seed}.sqlite`
const work = `bench/.cache/work-${contacts}-${seed}.sqlite`
const workPredecessor = `bench/.cache/work-predecessor-${contacts}-${seed}.sqlite`

const seconds = (start: number) => (performance.now() - start) / 1000
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits

const removeDatabase = (path: string) => {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${path}${suffix}`, { force: true })
}

const MeasuredRun = Schema.parseJson(
  Schema.Struct({
    row: Schema.Record({ key: Schema.String, value: Schema.Union(Schema.Number, Schema.String, Schema.Boolean) }),
    runId: Schema.String,
    planRows: Schema.Number,
    contactsReused: Schema.Number
  })
)

/**
 * One run in a child process with this process's Node flags and environment (the production settings `npm run bench`
 * starts it with): its own start-up, memory and peak RSS, as a nightly job has.
 */
const measuredRun = (label: string, path: string, asOf: IsoDate, plans: "reuse" | "plan-all" = "reuse") => {
  // The journals' peak, sampled from a process of its own (the run's disk use beyond the file itself).
  const peakFile = `${path}.log-peak`
  rmSync(peakFile, { force: true })
  const sampler = spawn(process.execPath, ["dist/bench/log-sampler.js", peakFile, `${path}-wal`, `${path}-journal`], {
    stdio: "ignore"
  })
  const result = spawnSync(
    process.execPath,
    [...process.execArgv, "dist/bench/measured-run.js", label, path, asOf, "2", plans],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 2 ** 24
    }
  )
  sampler.kill()
  const peakLogMiB = existsSync(peakFile) ? Math.round(Number(readFileSync(peakFile, "utf8")) / 2 ** 20) : 0
  rmSync(peakFile, { force: true })
  if (result.status !== 0) throw new Error(`the ${label} run failed (exit ${result.status})`)
  const measured = Schema.decodeUnknownSync(MeasuredRun)(result.stdout.trim().split("\n").at(-1) ?? "")
  return { ...measured, row: { ...measured.row, seconds: Number(measured.row.seconds), peakLogMiB } }
}

/** Wall seconds of a command-line invocation (a new Node process, as an operator starts it). */
const cliSeconds = (args: ReadonlyArray<string>) => {
  const start = performance.now()
  const result = spawnSync(process.execPath, ["dist/src/cli/bin.js", ...args], { encoding: "utf8" })
  const wall = seconds(start)
  if (result.status !== 0) throw new Error(`email-scheduler ${args.join(" ")} failed: ${result.stderr}`)
  return round(wall, 3)
}

const main = Effect.gen(function* () {
  let generator: { seconds: number; contactsPerSecond: number; peakRssMiB: number } | undefined
  if (!existsSync(organization)) {
    const rss = rssSampler()
    const start = performance.now()
    yield* generateDatabase({ path: organization, contacts, seed, asOf: AS_OF, force: false })
    const wall = seconds(start)
    generator = { seconds: round(wall), contactsPerSecond: Math.round(contacts / wall), peakRssMiB: rss.stop() }
  }
  if (!existsSync(predecessor)) buildPredecessorShapedDatabase(predecessor, contacts, seed)
  removeDatabase(work)
  copyFileSync(organization, work)
  removeDatabase(workPredecessor)
  copyFileSync(predecessor, workPredecessor)
  // Migrations run once in an organization's life, not nightly: applied before the clock starts.
  yield* runMigrations.pipe(Effect.provide(runnableFile(work)))
  yield* runMigrations.pipe(Effect.provide(runnableFile(workPredecessor)))

  const fresh = measuredRun("fresh", work, AS_OF)
  const bytesPerRow = Math.round(fileBytes(work) / fresh.planRows)
  const shape = rowShape(work, fresh.runId)
  const rerun = measuredRun("re-run", work, AS_OF)
  const sent = sendDue(work, AS_OF)
  snapshotFutureRows(work, NEXT_DAY)
  const beforeNight = copyBeforeNight(work)
  const nightly = measuredRun("nightly", work, NEXT_DAY)
  const stability = changedSinceSnapshot(work)
  const nightFloor = measureNightlyFloor(beforeNight, work, nightly.runId)
  removeDatabase(beforeNight)
  const sentSecond = sendDue(work, NEXT_DAY)
  const second = measuredRun("second night", work, SECOND_NIGHT)
  const sentThird = sendDue(work, SECOND_NIGHT)
  const beforeThird = `${work}.before-third`
  removeDatabase(beforeThird)
  copyFileSync(work, beforeThird)
  const third = measuredRun("third night", work, THIRD_NIGHT)
  const thirdAll = measuredRun("third night, planning all", beforeThird, THIRD_NIGHT, "plan-all")
  removeDatabase(beforeThird)
  const old = measuredRun("predecessor", workPredecessor, AS_OF)
  removeDatabase(workPredecessor)
  const cli = {
    helpSeconds: cliSeconds(["--help"]),
    explainSeconds: cliSeconds(["explain", "--db", work, "--contact", "1", "--as-of", NEXT_DAY])
  }
  const floor = measureFloor(work, shape)
  removeDatabase(work)

  const runs = [fresh.row, rerun.row, nightly.row, second.row, third.row, thirdAll.row, old.row]
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
    nightlyFloor: {
      seconds: round(nightFloor.seconds),
      readSeconds: round(nightFloor.readSeconds),
      writeSeconds: round(nightFloor.writeSeconds),
      updateSeconds: round(nightFloor.updateSeconds),
      rowsRead: nightFloor.rowsRead,
      deleted: nightFloor.deleted,
      updated: nightFloor.updated,
      inserted: nightFloor.inserted
    },
    nightlyRatio: round(nightly.row.seconds / nightFloor.seconds),
    bytesPerPlannedRow: bytesPerRow,
    rowText: { metadataBytes: shape.metadataLength, otherTextBytes: shape.otherTextLength },
    nightly: { sentBefore: sent, futureRows: stability.rows, changedDate: stability.changed, share: stability.share },
    secondNight: { sentBefore: sentSecond },
    thirdNight: { sentBefore: sentThird, contactsReused: third.contactsReused },
    cli,
    microsecondsPerContact: round((fresh.row.seconds * 1e6) / contacts, 1),
    harnessPeakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024)
  }
  writeFileSync(`bench/results/${contacts}-${seed}.json`, `${JSON.stringify(result, null, 2)}\n`)
  console.log(`${contacts.toLocaleString()} contacts, seed ${seed}, ${result.machine}`)
  if (generator !== undefined)
    console.log(`generator: ${generator.seconds} s (${generator.contactsPerSecond.toLocaleString()} contacts/s)`)
  console.table(runs)
  console.log(
    `I/O floor: ${result.floor.seconds} s (read ${result.floor.readSeconds} s, insert ${floor.rowsInserted.toLocaleString()} rows ${result.floor.insertSeconds} s)`
  )
  console.log(`ratio = fresh run / floor = ${result.ratio}; database bytes per planned row = ${bytesPerRow}`)
  console.log(
    `nightly I/O floor: ${result.nightlyFloor.seconds} s (read ${nightFloor.rowsRead.toLocaleString()} stored rows ${result.nightlyFloor.readSeconds} s; delete ${nightFloor.deleted.toLocaleString()}, update ${nightFloor.updated.toLocaleString()}, insert ${nightFloor.inserted.toLocaleString()} rows ${result.nightlyFloor.writeSeconds} s, of which the updates ${result.nightlyFloor.updateSeconds} s); nightly run / floor = ${result.nightlyRatio}`
  )
  console.log(
    `a planned row's text: metadata ${shape.metadataLength} bytes, the other text columns ${shape.otherTextLength} bytes`
  )
  console.log(
    `nightly after a sender sent ${sent.toLocaleString()} rows: ${stability.changed.toLocaleString()} of ${stability.rows.toLocaleString()} future pre-scheduled rows changed date (${round(stability.share * 100, 2)} %)`
  )
  console.log(`--help ${cli.helpSeconds} s, explain ${cli.explainSeconds} s`)
})

Effect.runPromise(main).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
