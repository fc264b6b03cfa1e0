import { createHash } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { addDays } from "../../src/domain/dates.js"
import { comparePreviews, countChanges } from "../../src/preview/compare.js"
import { type Preview, previewRange } from "../../src/preview/simulate.js"
import { runOnce } from "../../src/run/run.js"
import { runCli } from "../support/cli.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("preview")
const FROM = "2026-11-29"
const TO = addDays(FROM, 6)

const fileHash = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex")

const Count = Schema.Struct({ key: Schema.String, n: Schema.Int })
const counts = (path: string, text: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(text)).pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(Count))),
    Effect.map((rows) => Object.fromEntries(rows.map((row) => [row.key, row.n]))),
    Effect.provide(runnableFile(path)),
    Effect.orDie
  )

describe("what-if preview (issue 7)", () => {
  it.effect(
    "simulates each night and a sender: what it reports sent is what the sender marked sent, day by day",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "simulated.sqlite", 600, 4, FROM)
        const preview: Preview = yield* previewRange({ from: FROM, to: TO, flags: {} }).pipe(
          Effect.provide(runnableFile(path))
        )
        assert.deepStrictEqual(
          preview.days.map((day) => day.date),
          Array.from({ length: 7 }, (_, i) => addDays(FROM, i))
        )
        assert.isAbove(preview.totals.sent, 600)
        for (const day of preview.days) {
          const sent = yield* counts(
            path,
            `SELECT email_type AS key, count(*) AS n FROM email_schedules WHERE status = 'sent'
              AND scheduler_run_id IS NOT NULL AND actual_send_datetime LIKE '${day.date} %' GROUP BY email_type`
          )
          assert.deepStrictEqual(day.sent.byType, sent, day.date)
          assert.strictEqual(
            Object.values(day.sent.byState).reduce((a, b) => a + b, 0),
            day.sent.total,
            `${day.date}: by state adds up`
          )
        }
      }),
    120_000
  )

  it.effect("the first day's suppressed emails are the skipped rows that night's run dates that day", () =>
    Effect.gen(function* () {
      const simulated = yield* generatedCopy(dir, "first-day.sqlite", 600, 4, FROM)
      const checked = yield* generatedCopy(dir, "first-day-check.sqlite", 600, 4, FROM)
      const preview = yield* previewRange({ from: FROM, to: FROM, flags: {} }).pipe(
        Effect.provide(runnableFile(simulated))
      )
      yield* runOnce({ asOf: Option.some(FROM), dryRun: false, flags: {} }).pipe(Effect.provide(runnableFile(checked)))
      const skipped = yield* counts(
        checked,
        `SELECT skip_reason AS key, count(*) AS n FROM email_schedules
          WHERE status = 'skipped' AND scheduled_send_date = '${FROM}' GROUP BY skip_reason`
      )
      assert.isAbove(preview.days[0]!.suppressed.total, 0)
      assert.deepStrictEqual(preview.days[0]!.suppressed.byReason, skipped)
    })
  )

  it.effect("the CLI writes nothing to the database, and --json gives the whole preview", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "untouched.sqlite", 300, 4, FROM)
      const before = fileHash(path)
      const result = runCli(["preview", "--db", path, "--from", FROM, "--to", addDays(FROM, 2), "--json"])
      assert.strictEqual(result.code, 0, result.stderr)
      const preview = JSON.parse(result.stdout)
      assert.lengthOf(preview.days, 3)
      assert.strictEqual(
        preview.totals.sent,
        preview.days.reduce((sum: number, d: Preview["days"][number]) => sum + d.sent.total, 0)
      )
      assert.strictEqual(fileHash(path), before, "the database file is byte-identical")
      assert.isFalse(existsSync(`${path}-wal`))
    })
  )

  it.effect("--compare prints what a setting change would change, against the current settings", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "compare.sqlite", 300, 4, FROM)
      const args = ["preview", "--db", path, "--from", FROM, "--to", addDays(FROM, 3), "--compare"]
      const json = runCli([...args, "--pre-exclusion-buffer-days", "0", "--json"])
      assert.strictEqual(json.code, 0, json.stderr)
      const { current, proposed, comparison } = JSON.parse(json.stdout)
      assert.deepStrictEqual(proposed.flags, { pre_exclusion_buffer_days: "0" })
      assert.deepStrictEqual(current.flags, {})
      assert.deepStrictEqual(comparison.totals.sent, {
        key: "sent",
        current: current.totals.sent,
        proposed: proposed.totals.sent
      })
      // A smaller buffer shrinks every window: fewer emails are suppressed by windows.
      assert.isBelow(proposed.totals.suppressed, current.totals.suppressed)
      const text = runCli([...args, "--pre-exclusion-buffer-days", "0"])
      assert.strictEqual(text.code, 0, text.stderr)
      assert.include(text.stdout, "Sent per day, by email type")
      assert.include(text.stdout, "suppressed by reason")
      assert.include(text.stdout, "Compared with the current settings (pre_exclusion_buffer_days = 0)")
      assert.match(text.stdout, /What changes, day by day:\n {2}2026-11-\d\d: .+→/)
    })
  )

  it("refuses a reversed range, a range over a year and --compare without a setting (exit 2)", () => {
    const cases = [
      [["--from", "2026-12-01", "--to", "2026-11-30"], "before --from"],
      [["--from", "2026-01-01", "--to", "2027-06-01"], "at most 366 days"],
      [["--from", "2026-11-29", "--to", "2026-11-30", "--compare"], "needs at least one setting flag"],
      [["--from", "2026-11-31", "--to", "2026-12-01"], "calendar date"]
    ] as const
    for (const [args, message] of cases) {
      const result = runCli(["preview", "--db", "missing.sqlite", ...args])
      assert.strictEqual(result.code, 2, `${args.join(" ")}: ${result.stderr}`)
      assert.include(result.stderr, message)
    }
  })

  it("compares counts key by key, listing only what differs", () => {
    assert.deepStrictEqual(countChanges({ a: 1, b: 2 }, { b: 3, c: 1 }), [
      { key: "a", current: 1, proposed: 0 },
      { key: "b", current: 2, proposed: 3 },
      { key: "c", current: 0, proposed: 1 }
    ])
    const day = (date: string, sent: number) => ({
      date,
      sent: { total: sent, byType: { aep: sent }, byState: { TX: sent } },
      suppressed: { total: 0, byReason: {}, byType: {} }
    })
    const preview = (sent: ReadonlyArray<number>): Preview => ({
      from: "2026-11-29",
      to: "2026-11-30",
      flags: {},
      days: sent.map((n, i) => day(addDays("2026-11-29", i), n)),
      totals: { sent: 0, suppressed: 0, sentByType: {}, sentByState: {}, suppressedByReason: {} }
    })
    const comparison = comparePreviews(preview([5, 5]), preview([5, 7]))
    assert.deepStrictEqual(comparison.days, [
      { date: "2026-11-30", sent: [{ key: "aep", current: 5, proposed: 7 }], suppressed: [] }
    ])
  })
})
