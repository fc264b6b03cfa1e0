import { assert, describe, it } from "@effect/vitest"
import { planExample, storedRow, summarize, WORKED_EXAMPLES } from "../support/examples.js"

/** Worked examples of spec §15 that involve only §4–§6, planned with the pure core (complete plans). */
describe("worked examples E1–E21, E32–E34 (pure core)", () => {
  for (const example of WORKED_EXAMPLES) {
    it(example.name, () => {
      const options = {
        ...(example.organization ? { organization: example.organization } : {}),
        ...(example.stateBuffers ? { stateBuffers: example.stateBuffers } : {})
      }
      assert.deepStrictEqual(summarize(planExample(example.today, example.contact, options)), example.expected)
    })
  }

  it("E16 records the catch-up in the metadata", () => {
    const row = planExample("2026-05-01", { id: 18, state: "TX", birth: "1950-05-06" }).rows[0]!
    assert.deepStrictEqual(row.metadata.catch_up, { input: "18-birthday-2026", hash: 381646942, modulus: 5, offset: 2 })
    assert.strictEqual(row.metadata.date_rule, "catch_up")
    assert.strictEqual(row.eventDate, "2026-05-06")
    assert.strictEqual(row.latestDate, "2026-05-05")
  })

  it("E19 a catch-up is kept by its commitment; without it the date would be 2026-05-04", () => {
    const e16 = planExample("2026-05-01", { id: 18, state: "TX", birth: "1950-05-06" }).rows[0]!
    const stored = storedRow({
      id: 1,
      contact_id: 18,
      email_type: "birthday",
      scheduled_send_date: "2026-05-03",
      status: "pre-scheduled",
      event_year: 2026,
      event_month: 5,
      event_day: 6,
      metadata: JSON.stringify(e16.metadata)
    })
    const kept = planExample("2026-05-02", { id: 18, state: "TX", birth: "1950-05-06" }, { stored: [stored] })
    assert.deepStrictEqual(summarize(kept), ["birthday 2026-05-03 pre", "aep 2026-09-15 pre"])
    assert.deepStrictEqual(kept.rows[0]!.metadata, e16.metadata, "same explanation: a re-run changes nothing")
    const fresh = planExample("2026-05-02", { id: 18, state: "TX", birth: "1950-05-06" })
    assert.deepStrictEqual(summarize(fresh), ["birthday 2026-05-04 pre", "aep 2026-09-15 pre"])
  })

  it("E21 carries the 2026 post-window row forward after the birthday", () => {
    const e1 = planExample("2026-05-01", { id: 1, state: "CA", birth: "1958-06-15" })
    const stored = e1.rows.map((row, i) =>
      storedRow({
        id: i + 1,
        contact_id: 1,
        email_type: row.emailType,
        scheduled_send_date: row.date,
        status: row.status,
        skip_reason: row.skipReason ?? null,
        priority: row.priority,
        event_year: Number(row.eventDate!.slice(0, 4)),
        event_month: Number(row.eventDate!.slice(5, 7)),
        event_day: Number(row.eventDate!.slice(8, 10)),
        metadata: JSON.stringify(row.metadata)
      })
    )
    const plan = planExample("2026-06-20", { id: 1, state: "CA", birth: "1958-06-15" }, { stored })
    assert.deepStrictEqual(summarize(plan), [
      "post_window 2026-08-15 pre",
      "aep 2026-09-15 pre",
      "birthday 2027-06-01 skipped birthday_window:CA",
      "post_window 2027-08-15 pre"
    ])
    const carried = plan.rows.find((r) => r.date === "2026-08-15")!
    assert.strictEqual(carried.eventDate, "2026-06-15")
    assert.deepStrictEqual(carried.metadata, e1.rows.find((r) => r.emailType === "post_window")!.metadata)
    assert.strictEqual(plan.rows.find((r) => r.date === "2027-08-15")!.eventDate, "2027-06-15")
  })

  it("E31-style global underwriting: everything but AEP skipped, AEP still window-tested, no post-window", () => {
    const plan = planExample(
      "2026-06-01",
      { id: 81, state: "TX", birth: "1950-07-01" },
      {
        organization: { exclude_failed_underwriting_global: 1 },
        failedUnderwriting: true
      }
    )
    assert.deepStrictEqual(summarize(plan), ["birthday 2026-06-17 skipped failed_underwriting", "aep 2026-09-15 pre"])
    const ca = planExample(
      "2026-08-01",
      { id: 82, state: "CA", birth: "1950-10-20" },
      {
        organization: { exclude_failed_underwriting_global: 1 },
        failedUnderwriting: true
      }
    )
    assert.deepStrictEqual(summarize(ca), [
      "aep 2026-09-15 skipped birthday_window:CA",
      "birthday 2026-10-06 skipped failed_underwriting"
    ])
  })
})
