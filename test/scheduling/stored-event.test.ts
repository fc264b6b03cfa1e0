import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { toDayNumber } from "../../src/domain/dates.js"
import { storedEventDate, storedEventDay } from "../../src/plan/history.js"
import { storedRow } from "../support/examples.js"

/** A column value as decoded rows hold it: NULL, or a whole number near (and outside) the calendar's ranges. */
const part = (max: number) => fc.option(fc.integer({ min: -1, max }), { nil: null })

describe("a stored row's event date (spec §5.6: event_year/month/day)", () => {
  it.prop(
    "as a day number, it is the day of its text, and the year column is the text's year",
    [part(10_000), part(13), part(32)],
    ([year, month, day]) => {
      const row = storedRow({
        id: 1,
        contact_id: 1,
        email_type: "birthday",
        scheduled_send_date: "2026-06-01",
        status: "pre-scheduled",
        event_year: year,
        event_month: month,
        event_day: day
      })
      const text = storedEventDate(row)
      const days = storedEventDay(row)
      if (text === undefined) assert.isUndefined(days)
      else {
        assert.strictEqual(days, toDayNumber(text))
        assert.strictEqual(year, Number(text.slice(0, 4)))
      }
    }
  )

  it("has none when a part is missing or the parts are not a calendar date", () => {
    const row = (event_year: number | null, event_month: number | null, event_day: number | null) =>
      storedRow({
        id: 1,
        contact_id: 1,
        email_type: "birthday",
        scheduled_send_date: "2026-06-01",
        status: "pre-scheduled",
        event_year,
        event_month,
        event_day
      })
    assert.strictEqual(storedEventDay(row(2026, 6, 15)), toDayNumber("2026-06-15"))
    assert.strictEqual(storedEventDay(row(2028, 2, 29)), toDayNumber("2028-02-29"))
    for (const [y, m, d] of [
      [2027, 2, 29],
      [2026, 13, 1],
      [0, 1, 1],
      [null, 6, 15],
      [2026, null, 15],
      [2026, 6, null]
    ] as const) {
      assert.isUndefined(storedEventDay(row(y, m, d)), `${y}-${m}-${d}`)
    }
  })
})
