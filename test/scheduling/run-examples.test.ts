import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { WORKED_EXAMPLES } from "../support/examples.js"
import { DatabaseTest } from "../support/layers.js"
import { runAsOf, seedContacts, storedPlan, storedRows } from "../support/run.js"

describe("worked examples E1–E20, E32–E34: build the database, run, compare every stored row", () => {
  for (const example of WORKED_EXAMPLES) {
    it.effect(example.name, () =>
      Effect.gen(function* () {
        yield* seedContacts([example.contact], example.organization)
        const sql = yield* SqlClient.SqlClient
        for (const buffer of example.stateBuffers ?? []) {
          yield* sql`INSERT INTO organization_state_buffers ${sql.insert(buffer)}`
        }
        const report = yield* runAsOf(example.today)
        assert.deepStrictEqual(
          yield* storedPlan,
          example.expected.map((line) => `${example.contact.id} ${line}`)
        )
        assert.strictEqual(report.writes.inserted, example.expected.length)
      }).pipe(Effect.provide(DatabaseTest))
    )
  }
})

describe("worked examples through a real run (complete stored plans)", () => {
  it.effect("E1 writes exactly its three rows, with priorities, event dates and explanations", () =>
    Effect.gen(function* () {
      yield* seedContacts([{ id: 1, state: "CA", birth: "1958-06-15" }])
      const report = yield* runAsOf("2026-05-01")
      assert.deepStrictEqual(yield* storedPlan, [
        "1 birthday 2026-06-01 skipped birthday_window:CA",
        "1 post_window 2026-08-15 pre",
        "1 aep 2026-09-15 pre"
      ])
      const rows = yield* storedRows
      assert.deepStrictEqual(
        rows.map((r) => [r.priority, r.event_year, r.event_month, r.event_day]),
        [
          [10, 2026, 6, 15],
          [40, 2026, 6, 15],
          [30, 2026, 9, 15]
        ]
      )
      assert.isTrue(rows.every((r) => r.scheduler_run_id === report.runId))
      assert.strictEqual(
        rows[0]!.metadata,
        '{"date_rule":"on_time","event_date":"2026-06-15","ideal_date":"2026-06-01","latest_date":"2026-06-14","planned_date":"2026-06-01","reason_text":"2026-06-01 is inside the CA birthday window 2026-03-17 to 2026-08-14 (anchor 2026-06-15, rule baseline:CA:birthday:1).","v":1,"window":{"anchor":"2026-06-15","buffer":60,"days_after":60,"days_before":30,"end":"2026-08-14","kind":"birthday","rule_id":"baseline:CA:birthday:1","start":"2026-03-17","state":"CA"}}'
      )
      assert.strictEqual(
        rows[1]!.metadata,
        '{"date_rule":"post_window","event_date":"2026-06-15","ideal_date":"2026-08-15","planned_date":"2026-08-15","v":1,"window":{"anchor":"2026-06-15","buffer":60,"days_after":60,"days_before":30,"end":"2026-08-14","kind":"birthday","rule_id":"baseline:CA:birthday:1","start":"2026-03-17","state":"CA"}}'
      )
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E11 three year-round contacts, states from the column, the ZIP and lower case", () =>
    Effect.gen(function* () {
      yield* seedContacts([
        { id: 11, state: "MA", birth: "1954-04-01" },
        { id: 12, zip: "10001", birth: "1954-04-02" },
        { id: 13, state: "wa", birth: "1954-04-03" }
      ])
      yield* runAsOf("2026-01-15")
      assert.deepStrictEqual(yield* storedPlan, [
        "11 birthday 2026-03-18 skipped year_round:MA",
        "11 aep 2026-09-15 skipped year_round:MA",
        "12 birthday 2026-03-19 skipped year_round:NY",
        "12 aep 2026-09-15 skipped year_round:NY",
        "13 birthday 2026-03-20 skipped year_round:WA",
        "13 aep 2026-09-15 skipped year_round:WA"
      ])
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E16 then E19: the catch-up date is kept by its commitment and the write changes nothing", () =>
    Effect.gen(function* () {
      yield* seedContacts([{ id: 18, state: "TX", birth: "1950-05-06" }])
      yield* runAsOf("2026-05-01")
      assert.deepStrictEqual(yield* storedPlan, ["18 birthday 2026-05-03 pre", "18 aep 2026-09-15 pre"])
      const before = yield* storedRows
      const report = yield* runAsOf("2026-05-02")
      assert.deepStrictEqual(yield* storedPlan, ["18 birthday 2026-05-03 pre", "18 aep 2026-09-15 pre"])
      assert.deepStrictEqual(report.writes, {
        inserted: 0,
        updated: 0,
        deleted: 0,
        unchanged: 2,
        droppedHandled: 0,
        droppedDuplicate: 0,
        contactCampaignsUpdated: 0
      })
      assert.deepStrictEqual(yield* storedRows, before, "ids, run ids and explanations are untouched")
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E1 then E21: post-window carry-forward (2 inserted, 1 deleted, 2 unchanged)", () =>
    Effect.gen(function* () {
      yield* seedContacts([{ id: 1, state: "CA", birth: "1958-06-15" }])
      yield* runAsOf("2026-05-01")
      const report = yield* runAsOf("2026-06-20")
      assert.deepStrictEqual(yield* storedPlan, [
        "1 post_window 2026-08-15 pre",
        "1 aep 2026-09-15 pre",
        "1 birthday 2027-06-01 skipped birthday_window:CA",
        "1 post_window 2027-08-15 pre"
      ])
      assert.deepStrictEqual(
        [report.writes.inserted, report.writes.deleted, report.writes.unchanged, report.writes.updated],
        [2, 1, 2, 0]
      )
      const events = (yield* storedRows).filter((r) => r.email_type === "post_window").map((r) => r.event_year)
      assert.deepStrictEqual(events, [2026, 2027])
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E7 and E8 through organization settings: statutes-2026", () =>
    Effect.gen(function* () {
      yield* seedContacts([{ id: 8, state: "VA", birth: "1956-08-01" }], { ruleset: "statutes-2026" })
      const report = yield* runAsOf("2026-06-15")
      assert.strictEqual(report.ruleset, "statutes-2026@1")
      assert.deepStrictEqual(yield* storedPlan, [
        "8 birthday 2026-07-18 skipped birthday_window:VA",
        "8 aep 2026-09-15 skipped birthday_window:VA",
        "8 post_window 2026-10-01 pre"
      ])
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E33 per-state buffer from organization_state_buffers", () =>
    Effect.gen(function* () {
      yield* seedContacts([{ id: 92, state: "OK", birth: "1950-06-15" }])
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO organization_state_buffers (state, days) VALUES ('OK', 0)`
      yield* runAsOf("2026-05-01")
      assert.deepStrictEqual(yield* storedPlan, ["92 birthday 2026-06-01 pre", "92 aep 2026-09-15 pre"])
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("an invalid email empties the contact's plan; handled rows and other contacts' rows are untouched", () =>
    Effect.gen(function* () {
      // A cap of 100 % keeps load balancing out of this test (2 contacts would otherwise have a daily cap of 1).
      yield* seedContacts(
        [
          { id: 1, state: "TX", birth: "1950-07-04" },
          { id: 2, state: "TX", birth: "1950-07-05" }
        ],
        { config_overrides: '{"daily_send_percentage_cap": 1}' }
      )
      yield* runAsOf("2026-06-01")
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE email_schedules SET status = 'sent' WHERE contact_id = 1 AND email_type = 'birthday'`
      yield* sql`UPDATE contacts SET email = 'broken' WHERE id = 1`
      yield* sql`INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status) VALUES (99, 'aep', '2026-09-15', 'pre-scheduled')`
      const report = yield* runAsOf("2026-06-02")
      assert.deepStrictEqual(yield* storedPlan, [
        "1 birthday 2026-06-20 sent",
        "2 birthday 2026-06-21 pre",
        "2 aep 2026-09-15 pre",
        "99 aep 2026-09-15 pre"
      ])
      assert.strictEqual(report.contacts.issues.invalid_email.count, 1)
      assert.strictEqual(report.writes.deleted, 1, "only contact 1's pre-scheduled AEP row")
    }).pipe(Effect.provide(DatabaseTest))
  )
})
