import { Either } from "effect"
import { ContactRow, validateContact } from "../../src/domain/contact.js"
import { EmailScheduleRow } from "../../src/domain/email.js"
import { NO_CAMPAIGNS } from "../../src/plan/campaigns.js"
import { buildHistory } from "../../src/plan/history.js"
import { type ContactPlan, planContact } from "../../src/plan/plan-contact.js"
import { RULESETS } from "../../src/rules/rulesets.js"
import { resolveSettings } from "../../src/settings/resolve.js"

export interface ExampleContact {
  readonly id: number
  readonly email?: string
  readonly state?: string | null
  readonly zip?: string | null
  readonly birth?: string | null
  readonly effective?: string | null
}

export const contactRow = (c: ExampleContact): ContactRow =>
  ContactRow.make({
    id: c.id,
    email: c.email ?? `c${c.id}@example.com`,
    current_carrier: null,
    birth_date: c.birth ?? null,
    effective_date: c.effective ?? null,
    state: c.state ?? null,
    zip_code: c.zip ?? null
  })

/** A stored email row with defaults for the columns an example does not mention. */
export const storedRow = (
  fields: Partial<EmailScheduleRow> &
    Pick<EmailScheduleRow, "id" | "contact_id" | "email_type" | "scheduled_send_date" | "status">
) =>
  EmailScheduleRow.make({
    scheduled_send_time: "08:30:00",
    skip_reason: null,
    priority: null,
    campaign_instance_id: null,
    email_template: null,
    sms_template: null,
    event_year: null,
    event_month: null,
    event_day: null,
    scheduler_run_id: null,
    metadata: null,
    actual_send_datetime: null,
    ...fields
  })

/** Plans one contact with the pure core, as the run would, from organization settings given as column values. */
export const planExample = (
  today: string,
  contact: ExampleContact,
  options: {
    readonly organization?: Record<string, unknown>
    readonly stateBuffers?: ReadonlyArray<{ state: string; days: number }>
    readonly stored?: ReadonlyArray<EmailScheduleRow>
    readonly failedUnderwriting?: boolean
  } = {}
): ContactPlan => {
  const resolved = Either.getOrThrow(
    resolveSettings({
      flags: {},
      env: {},
      organization: options.organization ?? {},
      stateBuffers: options.stateBuffers ?? []
    })
  )
  return planContact(
    {
      contact: validateContact(contactRow(contact)),
      history: buildHistory(options.stored ?? [], today),
      failedUnderwriting: options.failedUnderwriting ?? false
    },
    {
      today,
      settings: resolved.settings,
      exclusion: {
        ruleset: RULESETS[resolved.settings.ruleset],
        defaultBuffer: resolved.settings.pre_exclusion_buffer_days,
        stateBuffers: resolved.stateBuffers
      },
      campaigns: NO_CAMPAIGNS
    }
  )
}

/** The rows of a plan as `type date status reason`, sorted by date then type, for table comparisons. */
export const summarize = (plan: ContactPlan): ReadonlyArray<string> =>
  [...plan.rows]
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.emailType < b.emailType ? -1 : 1))
    .map(
      (row) => `${row.emailType} ${row.date} ${row.status === "pre-scheduled" ? "pre" : `skipped ${row.skipReason}`}`
    )

/** A worked example of spec §15 that involves only §4–§6: one contact, settings as organization columns. */
export interface WorkedExample {
  readonly name: string
  readonly today: string
  readonly contact: ExampleContact
  readonly organization?: Record<string, unknown>
  readonly stateBuffers?: ReadonlyArray<{ state: string; days: number }>
  /** The complete plan as `type date pre|skipped reason`, by date then type. */
  readonly expected: ReadonlyArray<string>
}

export const WORKED_EXAMPLES: ReadonlyArray<WorkedExample> = [
  {
    name: "E1 CA",
    today: "2026-05-01",
    contact: { id: 1, state: "CA", birth: "1958-06-15" },
    expected: ["birthday 2026-06-01 skipped birthday_window:CA", "post_window 2026-08-15 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E2 ID",
    today: "2026-01-10",
    contact: { id: 2, state: "ID", birth: "1957-03-20" },
    expected: ["birthday 2026-03-06 skipped birthday_window:ID", "post_window 2026-05-23 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E3 KY two skips in one window",
    today: "2026-08-01",
    contact: { id: 3, state: "KY", birth: "1960-10-05" },
    expected: [
      "aep 2026-09-15 skipped birthday_window:KY",
      "birthday 2026-09-21 skipped birthday_window:KY",
      "post_window 2026-12-05 pre"
    ]
  },
  {
    name: "E4 MD across the year end",
    today: "2026-11-01",
    contact: { id: 4, state: "MD", birth: "1959-12-20" },
    expected: ["birthday 2026-12-06 skipped birthday_window:MD", "post_window 2027-01-20 pre", "aep 2027-09-15 pre"]
  },
  {
    name: "E5 NV month start",
    today: "2026-05-01",
    contact: { id: 5, state: "NV", birth: "1955-06-28" },
    expected: ["birthday 2026-06-14 skipped birthday_window:NV", "post_window 2026-08-01 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E6 OK",
    today: "2026-01-05",
    contact: { id: 6, state: "OK", birth: "1961-02-10" },
    expected: ["birthday 2026-01-27 skipped birthday_window:OK", "post_window 2026-04-12 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E7 OR baseline",
    today: "2026-03-01",
    contact: { id: 7, state: "OR", birth: "1962-04-30" },
    expected: ["birthday 2026-04-16 skipped birthday_window:OR", "post_window 2026-06-01 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E7 OR statutes-2026",
    today: "2026-03-01",
    contact: { id: 7, state: "OR", birth: "1962-04-30" },
    organization: { ruleset: "statutes-2026" },
    expected: ["birthday 2026-04-16 skipped birthday_window:OR", "post_window 2026-05-31 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E8 VA baseline",
    today: "2026-06-15",
    contact: { id: 8, state: "VA", birth: "1956-08-01" },
    expected: ["birthday 2026-07-18 skipped birthday_window:VA", "post_window 2026-09-01 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E8 VA statutes-2026 (rule v2)",
    today: "2026-06-15",
    contact: { id: 8, state: "VA", birth: "1956-08-01" },
    organization: { ruleset: "statutes-2026" },
    expected: [
      "birthday 2026-07-18 skipped birthday_window:VA",
      "aep 2026-09-15 skipped birthday_window:VA",
      "post_window 2026-10-01 pre"
    ]
  },
  {
    name: "E9 MO: the ED window suppresses the birthday email",
    today: "2026-05-01",
    contact: { id: 9, state: "MO", birth: "1950-07-20", effective: "2019-08-10" },
    expected: [
      "birthday 2026-07-06 skipped effective_date_window:MO",
      "effective_date 2026-07-11 skipped effective_date_window:MO",
      "post_window 2026-09-13 pre",
      "aep 2026-09-15 pre"
    ]
  },
  {
    name: "E10 CT year-round",
    today: "2026-01-15",
    contact: { id: 10, state: "CT", birth: "1955-05-20", effective: "2018-03-01" },
    expected: [
      "effective_date 2026-01-30 skipped year_round:CT",
      "birthday 2026-05-06 skipped year_round:CT",
      "aep 2026-09-15 skipped year_round:CT"
    ]
  },
  {
    name: "E11 MA",
    today: "2026-01-15",
    contact: { id: 11, state: "MA", birth: "1954-04-01" },
    expected: ["birthday 2026-03-18 skipped year_round:MA", "aep 2026-09-15 skipped year_round:MA"]
  },
  {
    name: "E11 NY from the ZIP",
    today: "2026-01-15",
    contact: { id: 12, zip: "10001", birth: "1954-04-02" },
    expected: ["birthday 2026-03-19 skipped year_round:NY", "aep 2026-09-15 skipped year_round:NY"]
  },
  {
    name: "E11 WA lower case",
    today: "2026-01-15",
    contact: { id: 13, state: "wa", birth: "1954-04-03" },
    expected: ["birthday 2026-03-20 skipped year_round:WA", "aep 2026-09-15 skipped year_round:WA"]
  },
  {
    name: "E12 state without rules",
    today: "2026-06-01",
    contact: { id: 14, state: "TX", birth: "1957-07-04", effective: "2021-10-01" },
    expected: ["birthday 2026-06-20 pre", "effective_date 2026-09-01 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E13 Feb 29, non-leap year",
    today: "2027-01-20",
    contact: { id: 15, state: "TX", birth: "1956-02-29" },
    expected: ["birthday 2027-02-14 pre", "aep 2027-09-15 pre"]
  },
  {
    name: "E14 Feb 29, leap year, window state",
    today: "2027-06-01",
    contact: { id: 16, state: "CA", birth: "1952-02-29" },
    expected: ["aep 2027-09-15 pre", "birthday 2028-02-15 skipped birthday_window:CA", "post_window 2028-04-30 pre"]
  },
  {
    name: "E15 cross-year CA window",
    today: "2026-12-01",
    contact: { id: 17, state: "CA", birth: "1960-01-10" },
    expected: ["birthday 2026-12-27 skipped birthday_window:CA", "post_window 2027-03-12 pre", "aep 2027-09-15 pre"]
  },
  {
    name: "E16 catch-up birthday",
    today: "2026-05-01",
    contact: { id: 18, state: "TX", birth: "1950-05-06" },
    expected: ["birthday 2026-05-03 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E17 catch-up effective date",
    today: "2026-05-01",
    contact: { id: 19, state: "TX", effective: "2015-05-20" },
    expected: ["effective_date 2026-05-07 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E18 event today and tomorrow",
    today: "2026-05-01",
    contact: { id: 20, state: "TX", birth: "1950-05-01", effective: "2016-05-02" },
    expected: ["effective_date 2026-05-01 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E20 first effective-date email (11 months)",
    today: "2026-06-01",
    contact: { id: 21, state: "TX", effective: "2025-07-20" },
    organization: { aep_enabled: 0 },
    expected: ["effective_date 2026-06-20 pre"]
  },
  {
    name: "E20 10 months: no email",
    today: "2026-06-01",
    contact: { id: 22, state: "TX", effective: "2025-08-01" },
    organization: { aep_enabled: 0 },
    expected: []
  },
  {
    name: "E32 IN rule not yet in force",
    today: "2025-12-01",
    contact: { id: 91, state: "IN", birth: "1955-01-10" },
    organization: { ruleset: "statutes-2026" },
    expected: ["birthday 2025-12-27 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E32 IN rule in force",
    today: "2026-12-01",
    contact: { id: 91, state: "IN", birth: "1955-01-10" },
    organization: { ruleset: "statutes-2026" },
    expected: ["birthday 2026-12-27 skipped birthday_window:IN", "post_window 2027-03-12 pre", "aep 2027-09-15 pre"]
  },
  {
    name: "E33 per-state buffer",
    today: "2026-05-01",
    contact: { id: 92, state: "OK", birth: "1950-06-15" },
    stateBuffers: [{ state: "OK", days: 0 }],
    expected: ["birthday 2026-06-01 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E34 window start is inclusive (91 days before)",
    today: "2026-03-01",
    contact: { id: 93, state: "CA", birth: "1958-06-15" },
    organization: { birthday_days_before: 91 },
    expected: ["birthday 2026-03-16 pre", "aep 2026-09-15 pre"]
  },
  {
    name: "E34 window start is inclusive (90 days before)",
    today: "2026-03-01",
    contact: { id: 93, state: "CA", birth: "1958-06-15" },
    organization: { birthday_days_before: 90 },
    expected: ["birthday 2026-03-17 skipped birthday_window:CA", "post_window 2026-08-15 pre", "aep 2026-09-15 pre"]
  }
]
