import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { DatabaseTest } from "../support/layers.js"
import {
  campaignType,
  enrollmentStatuses,
  runAsOf,
  seedContacts,
  seedTable,
  storedPlan,
  storedRows
} from "../support/run.js"

const NO_AEP = { aep_enabled: 0 }

/** E30's organization: contacts with ZIP, state and data problems, and a universal announcement. */
const e30 = (sendWithoutZip: 0 | 1) =>
  Effect.gen(function* () {
    yield* seedContacts(
      [
        { id: 71, zip: "99999", state: "XX" },
        { id: 72, zip: "75201", state: "OK", birth: "1950-08-20" },
        { id: 73, email: "not-an-email", state: "TX" },
        { id: 74, zip: "ABCDE", birth: "1950-13-01" }
      ],
      { config_overrides: '{"daily_send_percentage_cap": 1}', send_without_zipcode_for_universal: sendWithoutZip }
    )
    yield* seedTable("campaign_types", [campaignType(1, "announcement", { target_all_contacts: 1, priority: 30 })])
    yield* seedTable("campaign_instances", [
      {
        id: 10,
        campaign_type: "announcement",
        instance_name: "News",
        active_start_date: "2026-07-01",
        active_end_date: "2026-07-31"
      }
    ])
    return yield* runAsOf("2026-07-01")
  })

describe("worked examples E22–E31: campaigns, conflicts, frequency, follow-ups, balancing (complete stored plans)", () => {
  it.effect("E22 campaign before its trigger: on time, catch-up, trigger past", () =>
    Effect.gen(function* () {
      yield* seedContacts(
        [31, 32, 33].map((id) => ({ id, state: "TX" })),
        NO_AEP
      )
      yield* seedTable("campaign_types", [campaignType(1, "renewal_reminder", { days_before_event: 14, priority: 25 })])
      yield* seedTable("campaign_instances", [
        {
          id: 5,
          campaign_type: "renewal_reminder",
          instance_name: "Renewal",
          email_template: "rr_email",
          sms_template: "rr_sms",
          active_start_date: "2026-01-01",
          active_end_date: "2026-12-31"
        }
      ])
      yield* seedTable("contact_campaigns", [
        { id: 501, contact_id: 31, campaign_instance_id: 5, trigger_date: "2026-07-15" },
        { id: 502, contact_id: 32, campaign_instance_id: 5, trigger_date: "2026-06-08" },
        { id: 503, contact_id: 33, campaign_instance_id: 5, trigger_date: "2026-05-30" }
      ])
      const report = yield* runAsOf("2026-06-01")
      assert.deepStrictEqual(yield* storedPlan, [
        "31 campaign_renewal_reminder 2026-07-01 pre",
        "32 campaign_renewal_reminder 2026-06-03 pre"
      ])
      assert.deepStrictEqual(yield* enrollmentStatuses, ["501 scheduled", "502 scheduled", "503 skipped"])
      assert.strictEqual(report.writes.contactCampaignsUpdated, 3)
      const rows = yield* storedRows
      assert.deepStrictEqual(JSON.parse(rows[1]!.metadata!).catch_up, {
        input: "32-campaign_renewal_reminder-2026",
        hash: 17165626,
        modulus: 7,
        offset: 2
      })
      assert.deepStrictEqual(JSON.parse(rows[0]!.metadata!).campaign, {
        enrollment_ids: [501],
        instance_name: "Renewal",
        trigger_date: "2026-07-15",
        type: "renewal_reminder"
      })
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E23 campaign after its trigger", () =>
    Effect.gen(function* () {
      yield* seedContacts(
        [34, 35].map((id) => ({ id, state: "TX" })),
        NO_AEP
      )
      yield* seedTable("campaign_types", [campaignType(1, "welcome", { days_before_event: -7, priority: 35 })])
      yield* seedTable("campaign_instances", [{ id: 6, campaign_type: "welcome", instance_name: "Welcome" }])
      yield* seedTable("contact_campaigns", [
        { id: 601, contact_id: 34, campaign_instance_id: 6, trigger_date: "2026-05-28" },
        { id: 602, contact_id: 35, campaign_instance_id: 6, trigger_date: "2026-05-20" }
      ])
      yield* runAsOf("2026-06-01")
      assert.deepStrictEqual(yield* storedPlan, ["34 campaign_welcome 2026-06-04 pre"])
      assert.deepStrictEqual(
        (yield* storedRows).map((r) => [r.event_year, r.event_month, r.event_day]),
        [[2026, 5, 28]]
      )
      assert.deepStrictEqual(yield* enrollmentStatuses, ["601 scheduled", "602 skipped"])
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E24 spread campaign with late contacts, targeted at TX and FL", () =>
    Effect.gen(function* () {
      yield* seedContacts(
        [
          { id: 41, state: "TX" },
          { id: 42, state: "TX" },
          { id: 43, state: "FL" },
          { id: 44, state: "FL" },
          { id: 45, state: "CA" }
        ],
        NO_AEP
      )
      yield* seedTable("campaign_types", [
        campaignType(1, "newsletter", { target_all_contacts: 1, spread_evenly: 1, priority: 35 })
      ])
      yield* seedTable("campaign_instances", [
        {
          id: 7,
          campaign_type: "newsletter",
          instance_name: "September",
          active_start_date: "2026-09-01",
          active_end_date: "2026-09-30",
          spread_start_date: "2026-09-01",
          spread_end_date: "2026-09-30",
          target_states: "TX,FL"
        }
      ])
      yield* runAsOf("2026-09-10")
      assert.deepStrictEqual(yield* storedPlan, [
        "41 campaign_newsletter 2026-09-10 pre",
        "42 campaign_newsletter 2026-09-16 pre",
        "43 campaign_newsletter 2026-09-29 pre",
        "44 campaign_newsletter 2026-09-12 pre"
      ])
      const metadata = JSON.parse((yield* storedRows)[1]!.metadata!)
      assert.deepStrictEqual(
        [metadata.date_rule, metadata.spread],
        ["spread", { input: "42", hash: 57545385, span: 30, offset: 15 }]
      )
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E25 campaign priority conflict", () =>
    Effect.gen(function* () {
      yield* seedContacts([{ id: 51, state: "TX" }], NO_AEP)
      yield* seedTable("campaign_types", [
        campaignType(1, "rate_review", { priority: 20 }),
        campaignType(2, "cross_sell", { priority: 40 })
      ])
      yield* seedTable("campaign_instances", [
        { id: 8, campaign_type: "rate_review", instance_name: "Rate review" },
        { id: 9, campaign_type: "cross_sell", instance_name: "Cross-sell" }
      ])
      yield* seedTable("contact_campaigns", [
        { id: 801, contact_id: 51, campaign_instance_id: 8, trigger_date: "2026-07-01" },
        { id: 901, contact_id: 51, campaign_instance_id: 9, trigger_date: "2026-07-01" }
      ])
      yield* runAsOf("2026-06-01")
      assert.deepStrictEqual(yield* storedPlan, [
        "51 campaign_cross_sell 2026-07-01 skipped campaign_priority_conflict",
        "51 campaign_rate_review 2026-07-01 pre"
      ])
      assert.deepStrictEqual(yield* enrollmentStatuses, ["801 scheduled", "901 skipped"])
      const loser = JSON.parse((yield* storedRows)[0]!.metadata!)
      assert.deepStrictEqual(loser.conflict, {
        winner_campaign_instance_id: 8,
        winner_email_type: "campaign_rate_review",
        winner_priority: 20
      })
      assert.strictEqual(
        loser.reason_text,
        "Another campaign email on 2026-07-01 has priority: campaign_rate_review (instance 8, priority 20)."
      )
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E26 frequency limit over the sliding period", () =>
    Effect.gen(function* () {
      yield* seedContacts([{ id: 52, state: "TX", birth: "1950-06-24" }], NO_AEP)
      yield* seedTable("campaign_types", [
        campaignType(1, "rate_review", { priority: 20 }),
        campaignType(2, "newsletter", { enable_followups: 0 }),
        campaignType(3, "cross_sell", { enable_followups: 0 })
      ])
      yield* seedTable("campaign_instances", [{ id: 8, campaign_type: "rate_review", instance_name: "Rate review" }])
      yield* seedTable("email_schedules", [
        {
          id: 9001,
          contact_id: 52,
          email_type: "campaign_newsletter",
          scheduled_send_date: "2026-05-20",
          status: "sent"
        },
        {
          id: 9002,
          contact_id: 52,
          email_type: "campaign_cross_sell",
          scheduled_send_date: "2026-05-28",
          status: "delivered"
        }
      ])
      yield* seedTable("contact_campaigns", [
        { id: 802, contact_id: 52, campaign_instance_id: 8, trigger_date: "2026-06-05" }
      ])
      yield* runAsOf("2026-06-01")
      assert.deepStrictEqual(yield* storedPlan, [
        "52 campaign_newsletter 2026-05-20 sent",
        "52 campaign_cross_sell 2026-05-28 delivered",
        "52 campaign_rate_review 2026-06-05 skipped frequency_limit",
        "52 birthday 2026-06-10 pre"
      ])
      assert.deepStrictEqual(yield* enrollmentStatuses, ["802 skipped"])
      const limited = JSON.parse((yield* storedRows).find((r) => r.email_type === "campaign_rate_review")!.metadata!)
      assert.deepStrictEqual(limited.frequency, {
        count: 3,
        max: 3,
        period_days: 30,
        period_end: "2026-06-10",
        period_start: "2026-05-12"
      })
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E27 follow-ups of each type", () =>
    Effect.gen(function* () {
      yield* seedContacts(
        [61, 62, 63, 64]
          .map((id) => ({ id, state: "TX", birth: "1955-06-12" }))
          .concat([{ id: 65, state: "TX", birth: "1955-06-14" }]),
        { ...NO_AEP, config_overrides: '{"daily_send_percentage_cap": 1}' }
      )
      yield* seedTable("email_schedules", [
        ...[61, 62, 63, 64].map((contact, i) => ({
          id: 7001 + i,
          contact_id: contact,
          email_type: "birthday",
          scheduled_send_date: "2026-05-29",
          status: "sent",
          actual_send_datetime: "2026-05-29 08:30:00",
          priority: 10,
          event_year: 2026,
          event_month: 6,
          event_day: 12
        })),
        {
          id: 7005,
          contact_id: 65,
          email_type: "birthday",
          scheduled_send_date: "2026-05-31",
          status: "delivered",
          actual_send_datetime: "2026-05-31T13:30:00Z",
          priority: 10,
          event_year: 2026,
          event_month: 6,
          event_day: 14
        }
      ])
      yield* seedTable("tracking_clicks", [
        { contact_id: 62, clicked_at: "2026-05-30 10:00:00" },
        { contact_id: 63, clicked_at: "2026-05-30 11:00:00" }
      ])
      yield* seedTable("contact_events", [
        {
          contact_id: 63,
          event_type: "eligibility_answered",
          created_at: "2026-05-31 09:00:00",
          metadata: '{"has_medical_conditions": false, "main_questions_yes_count": 0}'
        },
        {
          contact_id: 64,
          event_type: "eligibility_answered",
          created_at: "2026-05-30 09:00:00",
          metadata: '{"has_medical_conditions": true}'
        }
      ])
      yield* runAsOf("2026-06-01")
      const followups = (yield* storedRows).filter((r) => r.email_type.startsWith("followup"))
      assert.deepStrictEqual(
        followups.map((r) => [
          r.contact_id,
          r.email_type,
          r.scheduled_send_date,
          r.status,
          r.priority,
          r.event_month,
          r.event_day
        ]),
        [
          [61, "followup_1_cold", "2026-06-02", "pre-scheduled", 10, 6, 12],
          [62, "followup_2_clicked_no_hq", "2026-06-02", "pre-scheduled", 10, 6, 12],
          [63, "followup_3_hq_no_yes", "2026-06-02", "pre-scheduled", 10, 6, 12],
          [64, "followup_4_hq_with_yes", "2026-06-02", "pre-scheduled", 10, 6, 12],
          [65, "followup_1_cold", "2026-06-02", "pre-scheduled", 10, 6, 14]
        ]
      )
      assert.deepStrictEqual(
        followups.map((r) => JSON.parse(r.metadata!).followup.parent_email_id),
        [7001, 7002, 7003, 7004, 7005]
      )
      assert.deepStrictEqual(
        followups.map((r) => JSON.parse(r.metadata!).date_rule),
        ["followup_tomorrow", "followup_tomorrow", "followup_tomorrow", "followup_tomorrow", "on_time"]
      )
      assert.strictEqual((yield* storedRows).length, 10, "the sent birthdays are not planned again")
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E28 effective-date smoothing", () =>
    Effect.gen(function* () {
      yield* seedContacts(
        Array.from({ length: 100 }, (_, i) => ({ id: i + 1, state: "TX", effective: i < 8 ? "2020-07-01" : null })),
        NO_AEP
      )
      const report = yield* runAsOf("2026-05-01")
      assert.deepStrictEqual(yield* storedPlan, [
        "1 effective_date 2026-06-02 pre",
        "2 effective_date 2026-05-31 pre",
        "3 effective_date 2026-06-02 pre",
        "4 effective_date 2026-06-01 pre",
        "5 effective_date 2026-06-01 pre",
        "6 effective_date 2026-06-01 pre",
        "7 effective_date 2026-06-02 pre",
        "8 effective_date 2026-05-31 pre"
      ])
      assert.deepStrictEqual(
        [report.profile.dailyCap, report.profile.threshold, report.profile.edSoftLimit],
        [20, 24, 6]
      )
      const moved = JSON.parse((yield* storedRows)[0]!.metadata!).moved
      assert.deepStrictEqual(moved, { from: "2026-06-01", jitter: 1, steps: ["ed_smoothing"] })
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E29 the cascading daily cap", () =>
    Effect.gen(function* () {
      yield* seedContacts(
        Array.from({ length: 31 }, (_, i) => ({ id: i + 1, state: "TX", birth: i === 30 ? "1950-09-30" : null }))
      )
      yield* runAsOf("2026-09-01")
      const rows = yield* storedRows
      const day = (contact: number, type = "aep") =>
        rows.find((r) => r.contact_id === contact && r.email_type === type)!.scheduled_send_date
      const expected: ReadonlyArray<readonly [ReadonlyArray<number>, string]> = [
        [[1, 2, 3, 4, 5, 6], "2026-09-15"],
        [[7, 8, 9, 10, 11], "2026-09-16"],
        [[12, 13, 14, 15, 16, 17], "2026-09-17"],
        [[18, 19, 20, 21, 22, 23], "2026-09-18"],
        [[24, 25, 26, 27, 28, 29], "2026-09-19"],
        [[30, 31], "2026-09-20"]
      ]
      for (const [contacts, date] of expected)
        for (const contact of contacts) assert.strictEqual(day(contact), date, `aep of ${contact}`)
      assert.strictEqual(day(31, "birthday"), "2026-09-16")
      assert.strictEqual(rows.length, 32)
      assert.isTrue(rows.every((r) => r.status === "pre-scheduled"))
      const moved = JSON.parse(rows.find((r) => r.contact_id === 30)!.metadata!).moved
      assert.deepStrictEqual(moved, { from: "2026-09-15", steps: ["daily_cap"] })
      // On later runs the moved rows stay planned after 09-15 through their commitments.
      yield* runAsOf("2026-09-16")
      assert.strictEqual(
        (yield* storedRows).find((r) => r.contact_id === 30 && r.email_type === "aep")!.scheduled_send_date,
        "2026-09-20"
      )
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E30 ZIP, missing state, invalid data, universal campaign", () =>
    Effect.gen(function* () {
      const report = yield* e30(1)
      assert.deepStrictEqual(yield* storedPlan, [
        "71 campaign_announcement 2026-07-01 pre",
        "72 campaign_announcement 2026-07-01 pre",
        "72 birthday 2026-08-06 pre",
        "72 aep 2026-09-15 pre",
        "74 campaign_announcement 2026-07-01 pre"
      ])
      assert.strictEqual(report.profile.contacts, 3)
      assert.deepStrictEqual(report.contacts.issues, {
        invalid_email: { count: 1, sample: [73] },
        no_state: { count: 2, sample: [71, 74] },
        bad_date: { count: 1, sample: [74] },
        state_differs_from_zip: { count: 1, sample: [72] }
      })
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E30 with send_without_zipcode_for_universal = 0: only contact 72's rows remain", () =>
    Effect.gen(function* () {
      yield* e30(0)
      assert.deepStrictEqual(yield* storedPlan, [
        "72 campaign_announcement 2026-07-01 pre",
        "72 birthday 2026-08-06 pre",
        "72 aep 2026-09-15 pre"
      ])
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect("E31 failed underwriting, organization-wide", () =>
    Effect.gen(function* () {
      yield* seedContacts([{ id: 81, state: "TX", birth: "1950-07-01" }], { exclude_failed_underwriting_global: 1 })
      yield* seedTable("contact_events", [
        {
          contact_id: 81,
          event_type: "eligibility_answered",
          created_at: "2026-03-01 10:00:00",
          metadata: '{"has_medical_conditions": false}'
        },
        {
          contact_id: 81,
          event_type: "eligibility_answered",
          created_at: "2026-04-01 10:00:00",
          metadata: '{"has_medical_conditions": "true"}'
        }
      ])
      yield* seedTable("campaign_types", [campaignType(1, "rate_review", { priority: 20 })])
      yield* seedTable("campaign_instances", [{ id: 8, campaign_type: "rate_review", instance_name: "Rate review" }])
      yield* seedTable("contact_campaigns", [
        { id: 811, contact_id: 81, campaign_instance_id: 8, trigger_date: "2026-07-15" }
      ])
      yield* runAsOf("2026-06-01")
      assert.deepStrictEqual(yield* storedPlan, [
        "81 birthday 2026-06-17 skipped failed_underwriting",
        "81 campaign_rate_review 2026-07-15 skipped failed_underwriting",
        "81 aep 2026-09-15 pre"
      ])
      assert.deepStrictEqual(yield* enrollmentStatuses, ["811 skipped"])
    }).pipe(Effect.provide(DatabaseTest))
  )
})
