import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Option } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { addDays } from "../../src/domain/dates.js"
import { runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"
import { sendDue } from "../support/sender.js"

const dir = useTempDir("stability")
const AS_OF = "2026-11-29"
/** A tight cap: the initial blast and the busy days cascade over many days. */
const FLAGS = { daily_send_percentage_cap: "2" }

const run = (path: string, asOf: string) =>
  runOnce({ asOf: Option.some(asOf), dryRun: false, flags: FLAGS }).pipe(Effect.provide(runnableFile(path)))

/** Future pre-scheduled rows as (logical email, date): contact, type, event date, instance, and the date. */
const futureRows = (path: string, from: string): Set<string> => {
  const db = new BetterSqlite3(path, { readonly: true })
  const rows = db
    .prepare(
      `SELECT contact_id || '|' || email_type || '|' || ifnull(event_year, '') || '-' || ifnull(event_month, '') || '-' ||
          ifnull(event_day, '') || '|' || ifnull(campaign_instance_id, '') || '|' || scheduled_send_date
        FROM email_schedules WHERE status = 'pre-scheduled' AND scheduled_send_date >= ?`
    )
    .pluck()
    .all(from)
  db.close()
  return new Set(rows.map(String))
}

describe("plan stability with a sender in between (issue 11, docs/business-rules.md §10.5)", () => {
  it.effect("the next night moves at most 1 % of the future pre-scheduled rows, though the cap cascades", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "stability.sqlite", 4000, 3, AS_OF)
      const first = yield* run(path, AS_OF)
      assert.isAbove(first.plan.moved, 1000, "the cap moves many rows: there is something to keep stable")
      let day = AS_OF
      for (let night = 1; night <= 3; night++) {
        assert.isAbove(sendDue(path, day), 0, `night ${night}: the sender sends what is due`)
        const next = addDays(day, 1)
        const before = futureRows(path, next)
        const report = yield* run(path, next)
        const after = futureRows(path, next)
        const changed = [...before].filter((row) => !after.has(row)).length
        assert.isAtMost(changed / before.size, 0.01, `night ${night}: ${changed} of ${before.size} rows changed date`)
        assert.isFalse(report.reused)
        day = next
      }
    })
  )
})
