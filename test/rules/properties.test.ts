import { assert, describe, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { CampaignInstanceRow, CampaignTypeRow, EnrollmentRow } from "../../src/domain/campaign.js"
import { type Contact, validateContact } from "../../src/domain/contact.js"
import { addDays, dateFromDayNumber, dayNumber, daysBetween, type IsoDate } from "../../src/domain/dates.js"
import type { EmailScheduleRow } from "../../src/domain/email.js"
import { STATE_CODES } from "../../src/domain/states.js"
import { campaignSetup, NO_CAMPAIGNS } from "../../src/plan/campaigns.js"
import { buildHistory } from "../../src/plan/history.js"
import type { PlannedEmail } from "../../src/plan/plan.js"
import { type PlanContext, planContact } from "../../src/plan/plan-contact.js"
import { RULE_STATES, RULESETS } from "../../src/rules/rulesets.js"
import { type ExclusionContext, exclusionAt } from "../../src/rules/windows.js"
import { resolveSettings } from "../../src/settings/resolve.js"
import { contactRow, storedRow } from "../support/examples.js"

const day = (from: IsoDate, to: IsoDate) =>
  fc
    .integer({
      min: dayNumber(+from.slice(0, 4), +from.slice(5, 7), +from.slice(8)),
      max: dayNumber(+to.slice(0, 4), +to.slice(5, 7), +to.slice(8))
    })
    .map(dateFromDayNumber)

const leapBirthday = fc.constantFrom("1940-02-29", "1948-02-29", "1952-02-29", "1960-02-29")

/** A random organization setup and contact: every state of both rulesets, Feb 29, random buffers and today. */
const contactFields = {
  ruleset: fc.constantFrom("baseline", "statutes-2026"),
  state: fc.oneof(fc.constantFrom(...RULE_STATES), fc.constantFrom(...STATE_CODES)),
  birth: fc.option(fc.oneof(day("1935-01-01", "1961-12-31"), leapBirthday), { nil: undefined }),
  effective: fc.option(
    fc.oneof(
      day("2000-01-01", "2033-12-31"),
      day("2000-01-01", "2033-12-31").map((d) => `${d.slice(0, 8)}01`)
    ),
    { nil: undefined }
  ),
  today: day("2024-01-01", "2032-12-31"),
  buffer: fc.integer({ min: 0, max: 180 }),
  stateBuffer: fc.option(fc.integer({ min: 0, max: 180 }), { nil: undefined }),
  birthdayDaysBefore: fc.integer({ min: 0, max: 180 }),
  effectiveDaysBefore: fc.integer({ min: 0, max: 180 }),
  catchUp: fc.integer({ min: 1, max: 60 }),
  followupDelay: fc.integer({ min: 0, max: 60 }),
  followupLookback: fc.integer({ min: 0, max: 365 }),
  firstEmailMonths: fc.integer({ min: 0, max: 120 })
}

/** One campaign instance, its dates in days from `today`, and the contact's enrollments when it is not target-all. */
const campaignOption = fc.option(
  fc.record({
    targetAll: fc.boolean(),
    daysBeforeEvent: fc.integer({ min: -30, max: 30 }),
    spread: fc.boolean(),
    followups: fc.boolean(),
    respectWindows: fc.boolean(),
    start: fc.option(fc.integer({ min: -90, max: 90 }), { nil: undefined }),
    length: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
    triggers: fc.array(fc.option(fc.integer({ min: -60, max: 120 }), { nil: undefined }), { maxLength: 3 })
  }),
  { nil: undefined }
)

/** With a campaign (and its follow-ups) some of the time. */
const scenarioWithCampaigns = fc.record({ ...contactFields, campaign: campaignOption })
type Scenario = typeof scenarioWithCampaigns extends fc.Arbitrary<infer A> ? A : never
/** Without campaigns: the properties about windows, ideal dates and re-runs of the built-in emails. */
const scenario: fc.Arbitrary<Scenario> = fc.record({ ...contactFields, campaign: fc.constant(undefined) })

const setup = (
  s: Scenario
): {
  contact: Contact
  context: (today: IsoDate) => PlanContext
  exclusion: ExclusionContext
  enrollments: ReadonlyArray<EnrollmentRow>
} => {
  const stateBuffers = s.stateBuffer === undefined ? [] : [{ state: s.state, days: s.stateBuffer }]
  const resolved = Either.getOrThrow(
    resolveSettings({
      flags: {},
      env: {},
      organization: {
        ruleset: s.ruleset,
        pre_exclusion_buffer_days: s.buffer,
        birthday_days_before: s.birthdayDaysBefore,
        effective_date_days_before: s.effectiveDaysBefore,
        catch_up_spread_days: s.catchUp,
        followup_delay_days: s.followupDelay,
        followup_lookback_days: s.followupLookback,
        effective_date_first_email_months: s.firstEmailMonths
      },
      stateBuffers
    })
  )
  const exclusion: ExclusionContext = {
    ruleset: RULESETS[resolved.settings.ruleset],
    defaultBuffer: resolved.settings.pre_exclusion_buffer_days,
    stateBuffers: resolved.stateBuffers
  }
  const contact = validateContact(
    contactRow({ id: 7, state: s.state, birth: s.birth ?? null, effective: s.effective ?? null })
  )
  const campaign = campaignRows(s)
  return {
    contact,
    exclusion,
    enrollments: campaign.enrollments,
    // Which instances run depends on the day: the setup is made for each day planned, as each run makes it.
    context: (today) => ({
      today,
      settings: resolved.settings,
      exclusion,
      campaigns: s.campaign === undefined ? NO_CAMPAIGNS : campaignSetup(campaign.types, campaign.instances, today)
    })
  }
}

/** The scenario's campaign as table rows: its dates are counted from the scenario's today. */
const campaignRows = (s: Scenario) => {
  const c = s.campaign
  if (c === undefined) return { types: [], instances: [], enrollments: [] }
  const from = (days: number | undefined) => (days === undefined ? null : addDays(s.today, days))
  const start = from(c.start)
  const end = c.length === undefined ? null : addDays(start ?? s.today, c.length)
  const types = [
    CampaignTypeRow.make({
      id: 1,
      name: "promo",
      respect_exclusion_windows: c.respectWindows,
      enable_followups: c.followups,
      days_before_event: c.daysBeforeEvent,
      target_all_contacts: c.targetAll,
      priority: 25,
      active: true,
      spread_evenly: c.spread,
      skip_failed_underwriting: false
    })
  ]
  const instances = [
    CampaignInstanceRow.make({
      id: 1,
      campaign_type: "promo",
      instance_name: "promo 1",
      email_template: "promo-email",
      sms_template: null,
      active_start_date: start,
      active_end_date: end,
      spread_start_date: c.spread ? (start ?? s.today) : null,
      spread_end_date: c.spread ? (end ?? addDays(start ?? s.today, 30)) : null,
      target_states: null,
      target_carriers: null
    })
  ]
  const enrollments = c.targetAll
    ? []
    : c.triggers.map((trigger, i) =>
        EnrollmentRow.make({
          id: i + 1,
          contact_id: 7,
          campaign_instance_id: 1,
          trigger_date: from(trigger),
          status: "pending"
        })
      )
  return { types, instances, enrollments }
}

/** The rows a run would have stored, as the next day's history. */
const asStored = (rows: ReadonlyArray<PlannedEmail>) =>
  rows.map((row, i) =>
    storedRow({
      id: i + 1,
      contact_id: row.contactId,
      email_type: row.emailType,
      scheduled_send_date: row.date,
      status: row.status,
      skip_reason: row.skipReason ?? null,
      priority: row.priority,
      campaign_instance_id: row.campaignInstanceId ?? null,
      event_year: row.eventDate === undefined ? null : Number(row.eventDate.slice(0, 4)),
      event_month: row.eventDate === undefined ? null : Number(row.eventDate.slice(5, 7)),
      event_day: row.eventDate === undefined ? null : Number(row.eventDate.slice(8, 10)),
      metadata: JSON.stringify(row.metadata)
    })
  )

const plan = (s: Scenario, today: IsoDate, stored: ReadonlyArray<PlannedEmail> = []) =>
  planFromRows(s, today, asStored(stored))

const planFromRows = (s: Scenario, today: IsoDate, stored: ReadonlyArray<EmailScheduleRow>) => {
  const { contact, context, enrollments } = setup(s)
  return planContact(
    { contact, history: buildHistory(stored, today), failedUnderwriting: false, enrollments },
    context(today)
  )
}

/**
 * The rows an earlier run stored: every other pre-scheduled row moved `moved` days later by load balancing (its
 * explanation keeps its planned date), then those dated before `today` sent if a sender ran.
 */
const storedAfter = (
  rows: ReadonlyArray<PlannedEmail>,
  today: IsoDate,
  options: { readonly moved: number; readonly senderRan: boolean }
) =>
  asStored(rows)
    .map((row) =>
      row.status === "pre-scheduled" && row.id % 2 === 0 && options.moved > 0
        ? { ...row, scheduled_send_date: addDays(row.scheduled_send_date, options.moved) }
        : row
    )
    .map((row) =>
      options.senderRan && row.status === "pre-scheduled" && row.scheduled_send_date < today
        ? { ...row, status: "sent", actual_send_datetime: `${row.scheduled_send_date} 08:30:00` }
        : row
    )

/** What a run writes of a contact's plan. */
const written = (planned: ReturnType<typeof planContact>) => ({
  rows: planned.rows,
  enrollments: [...planned.enrollmentStatus],
  droppedHandled: planned.droppedHandled,
  droppedDuplicate: planned.droppedDuplicate
})

const PARAMETERS = { numRuns: 400 }

describe("rules engine properties (random contacts, rulesets, buffers and dates 2024–2032)", () => {
  it.prop(
    "no pre-scheduled email falls inside any window of the contact, and none is dated before today",
    [scenario],
    ([s]) => {
      const { contact, exclusion } = setup(s)
      for (const row of plan(s, s.today).rows) {
        assert.isTrue(row.date >= s.today, `${row.emailType} ${row.date} before ${s.today}`)
        if (row.status === "pre-scheduled") {
          assert.isUndefined(exclusionAt(exclusion, contact, row.date), `${row.emailType} ${row.date} is excluded`)
        }
      }
    },
    { fastCheck: PARAMETERS }
  )

  it.prop(
    "a post-window email is the first non-excluded day after its window",
    [scenario],
    ([s]) => {
      const { contact, exclusion } = setup(s)
      for (const row of plan(s, s.today).rows.filter((r) => r.emailType === "post_window")) {
        const window = row.metadata.window as { readonly end: IsoDate }
        assert.isTrue(row.date > window.end)
        assert.isUndefined(exclusionAt(exclusion, contact, row.date))
        for (let d = addDays(window.end, 1); d < row.date; d = addDays(d, 1)) {
          assert.isDefined(
            exclusionAt(exclusion, contact, d),
            `${d} between the window and the post-window email is free`
          )
        }
      }
    },
    { fastCheck: PARAMETERS }
  )

  it.prop(
    "is deterministic: the same input gives the same plan",
    [scenario],
    ([s]) => {
      assert.deepStrictEqual(plan(s, s.today), plan(s, s.today))
    },
    { fastCheck: PARAMETERS }
  )

  it.prop(
    "moving today forward one day never re-plans an email already planned on its ideal date",
    [scenario],
    ([s]) => {
      const first = plan(s, s.today)
      const tomorrow = addDays(s.today, 1)
      const next = plan(s, tomorrow, first.rows)
      for (const row of first.rows) {
        if (row.metadata.date_rule !== "on_time" || row.date < tomorrow) continue
        const again = next.rows.find((r) => r.emailType === row.emailType && r.eventDate === row.eventDate)
        assert.isDefined(again, `${row.emailType} of ${row.eventDate} disappeared`)
        assert.strictEqual(again?.date, row.date, `${row.emailType} of ${row.eventDate} moved`)
      }
    },
    { fastCheck: PARAMETERS }
  )

  it.prop(
    "a re-run on the same day with the stored rows gives the same plan (idempotent)",
    [scenario],
    ([s]) => {
      const first = plan(s, s.today)
      const again = plan(s, s.today, first.rows)
      const lines = (rows: ReadonlyArray<PlannedEmail>) =>
        rows.map((r) => `${r.emailType} ${r.date} ${r.status} ${JSON.stringify(r.metadata)}`).sort()
      assert.deepStrictEqual(lines(again.rows), lines(first.rows))
    },
    { fastCheck: PARAMETERS }
  )

  it.prop(
    "a plan holds until its horizon: the same data planned on any day before it gives the same plan",
    [
      scenarioWithCampaigns,
      fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500 })),
      fc.integer({ min: 1, max: 400 }),
      fc.record({ moved: fc.integer({ min: 0, max: 30 }), senderRan: fc.boolean() })
    ],
    ([s, storedDaysAgo, daysLater, since]) => {
      // The stored rows of a run `storedDaysAgo` earlier (none when that run is today), as balancing and a sender left
      // them.
      const stored =
        storedDaysAgo === 0 ? [] : storedAfter(plan(s, addDays(s.today, -storedDaysAgo)).rows, s.today, since)
      const tonight = planFromRows(s, s.today, stored)
      const horizon = tonight.changesOn
      if (horizon !== undefined) assert.isTrue(horizon > s.today, `horizon ${horizon} is not after ${s.today}`)
      const span = horizon === undefined ? 400 : daysBetween(s.today, horizon) - 1
      // The last day before the horizon, and one day in between.
      for (const later of span < 1 ? [] : [addDays(s.today, span), addDays(s.today, 1 + (daysLater % span))]) {
        assert.deepStrictEqual(
          written(planFromRows(s, later, stored)),
          written(tonight),
          `planned on ${s.today} (horizon ${horizon}) and again on ${later}`
        )
      }
    },
    { fastCheck: { numRuns: 1000 } }
  )
})
