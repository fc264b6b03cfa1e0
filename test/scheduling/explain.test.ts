import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { renderExplanation } from "../../src/cli/render-explain.js"
import { explainContact } from "../../src/run/explain.js"
import { DatabaseTest } from "../support/layers.js"
import { campaignType, runAsOf, seedContacts, seedTable, storedRows } from "../support/run.js"

const explain = (contactId: number, asOf: string) => explainContact({ contactId, asOf: Option.some(asOf), flags: {} })

describe("explain", () => {
  it.effect("a CA contact (E1): the window, the skip, the post-window decision", () =>
    Effect.gen(function* () {
      yield* seedContacts([{ id: 1, state: "CA", zip: "90210", birth: "1958-06-15" }])
      const e = yield* explain(1, "2026-05-01")
      assert.deepStrictEqual(
        e.rules.map((r) => [r.id, r.daysBefore, r.buffer, r.daysAfter]),
        [["baseline:CA:birthday:1", 30, 60, 60]]
      )
      const birthday = e.candidates.find((c) => c.emailType === "birthday")!
      assert.strictEqual(birthday.idealDate, "2026-06-01")
      assert.strictEqual(birthday.outcome._tag === "Planned" && birthday.outcome.row.skipReason, "birthday_window:CA")
      assert.deepStrictEqual(
        e.postWindow.map((p) => [p.window.start, p.window.end, p.date, p.outcome]),
        [["2026-03-17", "2026-08-14", "2026-08-15", "planned"]]
      )
      assert.deepStrictEqual(
        e.plan.map((r) => `${r.emailType} ${r.date} ${r.status}`),
        ["birthday 2026-06-01 skipped", "post_window 2026-08-15 pre-scheduled", "aep 2026-09-15 pre-scheduled"]
      )
      // The first test against today whose answer changes: the birthday's ideal date passes on 2026-06-02.
      assert.strictEqual(e.holdsUntil, "2026-06-02")
      assert.deepStrictEqual((yield* explain(1, "2026-06-01")).plan, e.plan, "the same plan the day before")
      assert.notDeepEqual((yield* explain(1, "2026-06-02")).plan, e.plan, "another plan from that day")
      const text = renderExplanation(e)
      assert.include(
        text,
        "This plan stays the same on every day before 2026-06-02 unless the contact's data, its emails, the campaigns or the settings change; from 2026-06-02 on it may differ."
      )
      assert.include(
        text,
        "2026-06-01 is inside the CA birthday window 2026-03-17 to 2026-08-14 (anchor 2026-06-15, rule baseline:CA:birthday:1)."
      )
      expect(text).toMatchSnapshot()
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("a NV contact (E5): the month-start anchor, and rows already stored", () =>
    Effect.gen(function* () {
      yield* seedContacts([{ id: 5, state: "NV", birth: "1955-06-28" }])
      yield* runAsOf("2026-05-01")
      const before = yield* storedRows
      const e = yield* explain(5, "2026-05-01")
      assert.isTrue(e.rules[0]!.useMonthStart)
      const window = e.postWindow[0]!.window
      assert.deepStrictEqual(
        [window.anchor, window.start, window.end, window.event],
        ["2026-06-01", "2026-04-02", "2026-07-31", "2026-06-28"]
      )
      assert.strictEqual(e.postWindow[0]!.date, "2026-08-01")
      assert.strictEqual(e.stored.length, 3)
      assert.deepStrictEqual(yield* storedRows, before, "explain writes nothing")
      const text = renderExplanation(e)
      assert.include(text, "1st of the anniversary month")
      expect(text).toMatchSnapshot()
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("campaign and follow-up emails are explained too", () =>
    Effect.gen(function* () {
      yield* seedContacts([{ id: 31, state: "TX" }], { aep_enabled: 0 })
      yield* seedTable("campaign_types", [campaignType(1, "renewal_reminder", { days_before_event: 14, priority: 25 })])
      yield* seedTable("campaign_instances", [{ id: 5, campaign_type: "renewal_reminder", instance_name: "Renewal" }])
      yield* seedTable("contact_campaigns", [
        { id: 501, contact_id: 31, campaign_instance_id: 5, trigger_date: "2026-07-15" }
      ])
      yield* seedTable("email_schedules", [
        {
          id: 9,
          contact_id: 31,
          email_type: "campaign_renewal_reminder",
          scheduled_send_date: "2026-05-30",
          status: "sent",
          campaign_instance_id: 5,
          priority: 25
        }
      ])
      const e = yield* explain(31, "2026-06-01")
      assert.deepStrictEqual(
        e.plan.map((r) => `${r.emailType} ${r.date}`),
        ["followup_1_cold 2026-06-01", "campaign_renewal_reminder 2026-07-01"]
      )
      assert.include(renderExplanation(e), "campaign_renewal_reminder for 2026-07-15: ideal 2026-07-01")
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("an unknown contact is a clear failure", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(explain(404, "2026-05-01"))
      assert.isTrue(Exit.isFailure(exit))
      assert.match(String(Exit.isFailure(exit) && exit.cause), /Contact 404 is not in the contacts table/)
    }).pipe(Effect.provide(DatabaseTest))
  )
})
