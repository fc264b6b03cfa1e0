import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Option } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import type { RunReport } from "../../src/run/run.js"
import { runOnce } from "../../src/run/run.js"
import { sameKeys } from "../../src/run/write-plan.js"
import { decidedContents } from "../support/decided-contents.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"
import { sendDueOnBoth } from "../support/sender.js"

const dir = useTempDir("staged-keys")
const AS_OF = "2026-11-29"
const FLAGS = { batch_size: "500" }

const run = (path: string, asOf: string) =>
  runOnce({ asOf: Option.some(asOf), dryRun: false, flags: FLAGS }).pipe(Effect.provide(runnableFile(path)))

const planned = (report: RunReport) => ({
  plan: report.plan,
  writes: report.writes,
  checksums: report.checksums,
  dailyVolume: report.dailyVolume
})

describe("pass 2 trusts the keys pass 1 staged while nobody else writes (issue 11)", () => {
  it.effect("and writes exactly what reading them again writes, night after night with a sender in between", () =>
    Effect.gen(function* () {
      const trusting = yield* generatedCopy(dir, "trusting.sqlite", 2000, 11, AS_OF)
      const reading = yield* generatedCopy(dir, "reading.sqlite", 2000, 11, AS_OF)
      // Without one of the change counter's triggers the counter proves nothing: every batch reads its keys again.
      const db = new BetterSqlite3(reading)
      db.exec("DROP TRIGGER email_scheduler_changed_contacts_update")
      db.close()
      const nights = [AS_OF, "2026-11-30", "2026-12-01"]
      for (const [night, asOf] of nights.entries()) {
        if (night > 0) assert.isAbove(sendDueOnBoth(trusting, reading, nights[night - 1]!), 0)
        const byTrusting = yield* run(trusting, asOf)
        const byReading = yield* run(reading, asOf)
        assert.strictEqual(byTrusting.batches.keysReadAgain, 0, `night ${night}`)
        assert.strictEqual(byReading.batches.keysReadAgain, byReading.batches.total, `night ${night}`)
        assert.strictEqual(byReading.batches.total, 4)
        assert.deepStrictEqual(planned(byTrusting), planned(byReading), `night ${night}`)
        assert.deepStrictEqual(decidedContents(trusting), decidedContents(reading), `night ${night}`)
        if (night > 0) assert.isAbove(byTrusting.writes.updated + byTrusting.writes.deleted, 0)
      }
    })
  )
})

describe("a contact's stored keys read again against those pass 1 staged", () => {
  const key = (id: number, status = "pre-scheduled", date = "2026-12-01") => ({
    id,
    contactId: 7,
    emailType: "birthday",
    date,
    status,
    campaignInstanceId: null
  })
  const none: ReadonlySet<number> = new Set()
  it("are the same only with the same ids, types, dates and statuses in order, undecodable rows left out", () => {
    const staged = [key(1), key(2, "skipped")]
    assert.isTrue(sameKeys([key(1), key(2, "skipped")], staged, none))
    assert.isTrue(sameKeys([], [], none))
    assert.isFalse(sameKeys([key(1), key(2, "sent")], staged, none), "the sender sent one")
    assert.isFalse(sameKeys([key(1), key(2, "skipped", "2026-12-02")], staged, none), "another date")
    assert.isFalse(sameKeys([key(1)], staged, none), "a row deleted")
    assert.isFalse(sameKeys([key(1), key(2, "skipped"), key(3)], staged, none), "a row added")
    assert.isFalse(sameKeys([key(1), key(3, "skipped")], staged, none), "another row")
    assert.isTrue(sameKeys([key(1), key(9, "??"), key(2, "skipped")], staged, new Set([9])), "pass 1 could not read 9")
  })
})
