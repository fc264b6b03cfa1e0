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

describe("pass 2 matches planned rows with stored rows on their exact key (email type, date text)", () => {
  it.effect("a stored row whose date is not exactly YYYY-MM-DD, or whose type no plan has, meets no planned row", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "odd-keys.sqlite", 600, 12, AS_OF)
      const first = yield* run(path, AS_OF)
      const db = new BetterSqlite3(path)
      // One planned row gets its date with a time after it; another row is copied under a type no plan has.
      const row = db
        .prepare(
          `SELECT id, contact_id, email_type, scheduled_send_date FROM email_schedules
            WHERE status = 'pre-scheduled' AND scheduled_send_date > ? ORDER BY id LIMIT 1`
        )
        .get(AS_OF) as { id: number; contact_id: number; email_type: string; scheduled_send_date: string }
      db.prepare(
        "UPDATE email_schedules SET scheduled_send_date = scheduled_send_date || ' 08:30:00' WHERE id = ?"
      ).run(row.id)
      db.prepare(
        `INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status, metadata)
          SELECT contact_id, 'legacy_newsletter', scheduled_send_date, 'pre-scheduled', NULL FROM email_schedules
          WHERE id = ?`
      ).run(row.id)
      db.close()

      const again = yield* run(path, AS_OF)
      assert.strictEqual(again.checksums.plan, first.checksums.plan, "the same plan")
      assert.deepStrictEqual([again.writes.inserted, again.writes.deleted], [1, 2])
      const after = new BetterSqlite3(path, { readonly: true })
      const rowsOf = (date: string) =>
        after
          .prepare("SELECT email_type, status FROM email_schedules WHERE contact_id = ? AND scheduled_send_date LIKE ?")
          .all(row.contact_id, `${date}%`)
      // The odd rows are gone; the planned row is back under its exact date.
      assert.deepStrictEqual(rowsOf(row.scheduled_send_date), [{ email_type: row.email_type, status: "pre-scheduled" }])
      after.close()
    })
  )
})
