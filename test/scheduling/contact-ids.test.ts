import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Option } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { explainContact } from "../../src/run/explain.js"
import { runOnce } from "../../src/run/run.js"
import { runCli } from "../support/cli.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("contact-ids")
const AS_OF = "2026-11-29"
const HUGE = [9007199254740993n, 9007199254740995n]

/** Contacts whose ids a JavaScript number cannot hold, and ids ≤ 0, written exactly (as BigInt). */
const addUnplannableContacts = (path: string) => {
  const db = new BetterSqlite3(path)
  const insert = db.prepare(
    "INSERT INTO contacts (id, email, state, zip_code, birth_date, effective_date) VALUES (?, ?, 'TX', '75001', '1955-03-04', '2020-05-01')"
  )
  for (const id of [...HUGE, 0n, -5n]) insert.run(id, `c${id}@example.com`)
  db.close()
}

describe("contact ids a run cannot page through (issue 15)", () => {
  it.live("ids above 2^53 and ids ≤ 0 are reported as malformed rows; the run ends and plans everyone else", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "huge.sqlite", 500, 4, AS_OF)
      addUnplannableContacts(path)
      const report = yield* runOnce({ asOf: Option.some(AS_OF), dryRun: false, flags: {} }).pipe(
        Effect.provide(runnableFile(path)),
        Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error("the run did not end") })
      )
      assert.strictEqual(report.contacts.total, 504)
      assert.strictEqual(report.contacts.malformed.count, 4)
      const reported = report.contacts.malformed.sample.map((row) => String(row.id))
      assert.includeMembers(reported, ["9007199254740993", "9007199254740995", "0", "-5"])
      for (const row of report.contacts.malformed.sample) assert.include(row.message, "id: must be a whole number")
      const explained = yield* Effect.flip(
        explainContact({ contactId: 0, asOf: Option.some(AS_OF), flags: {} }).pipe(Effect.provide(runnableFile(path)))
      )
      assert.include(explained.message, "contacts row 0 is malformed")
    })
  )

  it.effect("the CLI's run and report end on such a database (a child process with a time limit)", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "huge-cli.sqlite", 300, 4, AS_OF)
      addUnplannableContacts(path)
      const run = runCli(["run", "--db", path, "--as-of", AS_OF])
      assert.strictEqual(run.code, 0, run.stderr)
      const report = runCli(["report", "--db", path, "--out", `${dir}/report.html`, "--as-of", AS_OF])
      assert.strictEqual(report.code, 0, report.stderr)
    })
  )
})
