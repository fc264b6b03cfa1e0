import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Option } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import type { RunReport } from "../../src/run/run.js"
import { runOnce } from "../../src/run/run.js"
import { runCli } from "../support/cli.js"
import { decidedContents } from "../support/decided-contents.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"
import { sendDueOnBoth } from "../support/sender.js"

const dir = useTempDir("planning-thread")
const AS_OF = "2026-11-29"
/** The planning thread's script as the build makes it (test/support/build.ts builds before the tests). */
const BUILT_SCRIPT = new URL("../../dist/src/run/plan-worker.js", import.meta.url)
/** The CLI bundle's planning thread, which the build's run starts (src/run/planning-thread.ts). */
const BUNDLED_SCRIPT = new URL("../../dist/src/cli/bundle/plan-worker.js", import.meta.url)
/** 3,000 contacts in batches of 400: eight batches, four planned by each thread. */
const FLAGS = { batch_size: "400" }

const run = (path: string, asOf: string, planningThread: URL | false) =>
  runOnce({ asOf: Option.some(asOf), dryRun: false, flags: FLAGS, planningThread }).pipe(
    Effect.provide(runnableFile(path))
  )

/**
 * Contact 501 (in the second batch, the other thread's) is malformed and owns an undecodable stored row and a
 * malformed event, so the reports' malformed rows come from that thread.
 */
const damage = (path: string) => {
  const db = new BetterSqlite3(path)
  db.exec(`UPDATE contacts SET zip_code = x'3735323031' WHERE id = 501;
    INSERT INTO email_schedules (id, contact_id, email_type, scheduled_send_date, status, priority)
      VALUES (900001, 501, 'aep', '2026-12-01', 'pre-scheduled', 'high');
    INSERT INTO contact_events (contact_id, event_type, metadata, created_at)
      VALUES (501, 'eligibility_answered', '{}', x'00');`)
  db.close()
}

/** What a report says about the plan, without what differs between any two runs (run id, times, threads). */
const planned = (report: RunReport) => ({
  contacts: report.contacts,
  contactMessages: report.contacts.malformed.sample.map((row) => row.message),
  plan: report.plan,
  writes: report.writes,
  batches: report.batches,
  warnings: report.warnings,
  dailyVolume: report.dailyVolume,
  checksums: report.checksums,
  malformedRows: report.malformedRows.sample.map((row) => row.message)
})

describe("a second thread plans batches too (issue 11: two cores)", () => {
  it.live("two threads plan and write exactly what one thread does, malformed rows and the next night included", () =>
    Effect.gen(function* () {
      const two = yield* generatedCopy(dir, "two.sqlite", 3000, 5, AS_OF)
      const one = yield* generatedCopy(dir, "one.sqlite", 3000, 5, AS_OF)
      damage(two)
      damage(one)
      const nights = [AS_OF, "2026-11-30", "2026-12-01"]
      for (const [night, asOf] of nights.entries()) {
        if (night > 0) assert.isAbove(sendDueOnBoth(two, one, nights[night - 1]!), 0)
        const byTwo = yield* run(two, asOf, BUILT_SCRIPT)
        const byOne = yield* run(one, asOf, false)
        assert.strictEqual(byTwo.planningThreads, 2)
        assert.strictEqual(byOne.planningThreads, 1)
        assert.strictEqual(byTwo.batches.total, 8)
        assert.deepStrictEqual(planned(byTwo), planned(byOne), `night ${night}`)
        assert.deepStrictEqual(decidedContents(two), decidedContents(one), `night ${night}`)
        if (night === 0) {
          assert.isAbove(byTwo.writes.inserted, 5000)
          const report = planned(byTwo)
          assert.deepStrictEqual(report.contactMessages, [
            "contacts row 501 is malformed: zip_code: Expected string, actual 75201; zip_code: Expected null, actual 75201"
          ])
          assert.include(report.malformedRows.join("\n"), "email_schedules row 900001 is malformed")
        }
      }
    })
  )
})

/**
 * Plans a fresh copy with the planning thread's script `source` and another copy on one thread, checks that both give
 * the same plan and rows, and answers the first run's report.
 */
const sameAsOneThread = (name: string, source: string) =>
  Effect.gen(function* () {
    const withScript = yield* generatedCopy(dir, `${name}.sqlite`, 3000, 5, AS_OF)
    const one = yield* generatedCopy(dir, `one-for-${name}.sqlite`, 3000, 5, AS_OF)
    const script = join(dir, `${name}-worker.mjs`)
    writeFileSync(script, source)
    const report = yield* run(withScript, AS_OF, pathToFileURL(script))
    const byOne = yield* run(one, AS_OF, false)
    assert.deepStrictEqual(planned(report), planned(byOne))
    assert.deepStrictEqual(decidedContents(withScript), decidedContents(one))
    return report
  })

describe("the build's run starts the CLI bundle's planning thread (it loads in a third of the time)", () => {
  it.live("tsc's build of the run names the bundle's script, and that thread plans what one thread plans", () =>
    Effect.gen(function* () {
      // A process of its own imports the built module, as the production job does.
      const built = new URL("../../dist/src/run/planning-thread.js", import.meta.url)
      const printed = execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { PLANNING_SCRIPT } from ${JSON.stringify(built.href)}
console.log(PLANNING_SCRIPT.href)`
        ],
        { encoding: "utf8" }
      )
      assert.strictEqual(printed.trim(), BUNDLED_SCRIPT.href)
      const report = yield* sameAsOneThread("bundled", `await import(${JSON.stringify(BUNDLED_SCRIPT.href)})\n`)
      assert.strictEqual(report.planningThreads, 2)
    })
  )
})

describe("batches go to whichever thread is free", () => {
  it.live("with the other thread's answers late, the run's thread plans ahead and merges in batch order", () =>
    Effect.gen(function* () {
      // The built planning thread, its answers held back in the order they were made (the first 400 ms, then 150 and
      // 0 ms more in turn) while the thread plans on: the run's thread plans the batches after one it waits for, and
      // merges them later.
      const report = yield* sameAsOneThread(
        "slow",
        `import { parentPort } from "node:worker_threads"
const post = parentPort.postMessage.bind(parentPort)
let answers = 0
let previous = Promise.resolve()
parentPort.postMessage = (message, transfer) => {
  const delay = answers++ === 0 ? 400 : answers % 2 === 0 ? 150 : 0
  previous = previous.then(() => new Promise((resolve) => setTimeout(resolve, delay))).then(() => post(message, transfer))
}
await import(${JSON.stringify(BUILT_SCRIPT.href)})
`
      )
      assert.strictEqual(report.planningThreads, 2)
    })
  )
})

describe("the last batches are not left to one thread", () => {
  it.live("with nothing left to hand out, the run's thread takes back the batches the other has not begun", () =>
    Effect.gen(function* () {
      // The built planning thread, each batch reaching it a second late, and every batch posted and answer given
      // written down: the run's thread plans its own batches, then finds the other thread's latest ones not begun and
      // plans them. The thread's answers to those may come after the run has ended, so the test counts the batches
      // posted against those the thread planned.
      const answers = join(dir, "answers.txt")
      writeFileSync(answers, "")
      const report = yield* sameAsOneThread(
        "late-start",
        `import { appendFileSync } from "node:fs"
import { parentPort } from "node:worker_threads"
const on = parentPort.on.bind(parentPort)
parentPort.on = (event, listener) =>
  on(
    event,
    event === "message"
      ? (message) => {
          appendFileSync(${JSON.stringify(answers)}, "posted\\n")
          setTimeout(() => listener(message), 1000)
        }
      : listener
  )
const post = parentPort.postMessage.bind(parentPort)
parentPort.postMessage = (message, transfer) => {
  appendFileSync(${JSON.stringify(answers)}, message._tag + "\\n")
  post(message, transfer)
}
await import(${JSON.stringify(BUILT_SCRIPT.href)})
`
      )
      const tags = readFileSync(answers, "utf8").trim().split("\n")
      const count = (tag: string) => tags.filter((found) => found === tag).length
      assert.isAbove(count("planned"), 0)
      assert.isAbove(count("posted"), count("planned"))
      assert.strictEqual(report.planningThreads, 2)
    })
  )
})

describe("a planning thread that fails", () => {
  it.live("leaves its batches to the run's thread: the run completes with the one-thread plan", () =>
    Effect.gen(function* () {
      const report = yield* sameAsOneThread("broken", 'throw new Error("the planning thread could not load")\n')
      assert.strictEqual(report.planningThreads, 1)
    })
  )
})

describe("the command-line program plans on two threads", () => {
  it("a run of several batches says so in its summary", () => {
    const db = join(dir, "cli.sqlite")
    assert.strictEqual(runCli(["generate", "--db", db, "--contacts", "3000", "--seed", "5", "--as-of", AS_OF]).code, 0)
    const result = runCli(["run", "--db", db, "--as-of", AS_OF, "--batch-size", "400"])
    assert.strictEqual(result.code, 0, result.stderr)
    assert.match(result.stdout, /plan \d+ ms \(2 threads\)/)
  })
})
