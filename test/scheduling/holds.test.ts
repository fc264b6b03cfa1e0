import { assert, describe, it } from "@effect/vitest"
import type { EmailScheduleRow } from "../../src/domain/email.js"
import { buildHistory, Identity } from "../../src/plan/history.js"
import { holdRows } from "../../src/plan/holds.js"
import { DAILY_CAP, ED_SMOOTHING } from "../../src/plan/move-steps.js"
import type { PlannedEmail } from "../../src/plan/plan.js"
import { canonicalJson } from "../../src/rules/canonical-json.js"
import { BASELINE } from "../../src/rules/rulesets.js"
import type { WindowSubject } from "../../src/rules/windows.js"

const TODAY = "2026-06-01"
const exclusion = { ruleset: BASELINE, defaultBuffer: 60, stateBuffers: {} }
/** A CA contact with a June 15 birthday: its birthday window is 2026-03-17 to 2026-08-14. */
const CA = { state: "CA" as const, birthDate: "1958-06-15", effectiveDate: undefined }
const TX = { state: "TX" as const, birthDate: "1958-06-15", effectiveDate: undefined }

/** A planned AEP row of contact 1 (event 2026-09-15), pre-scheduled on `date`. */
const aep = (date: string, overrides: Partial<PlannedEmail> = {}): PlannedEmail => ({
  contactId: 1,
  emailType: "aep",
  date,
  status: "pre-scheduled",
  skipReason: undefined,
  priority: 30,
  campaignInstanceId: undefined,
  emailTemplate: undefined,
  smsTemplate: undefined,
  eventDate: "2026-09-15",
  latestDate: undefined,
  subjectToExclusions: true,
  skippedBy: undefined,
  enrollmentIds: [],
  parentId: undefined,
  identity: Identity.event("aep", "2026-09-15"),
  commitmentId: undefined,
  metadata: { v: 1, date_rule: "on_time", planned_date: date },
  ...overrides
})

/** A stored pre-scheduled AEP row on `date`, planned on `planned` (moved there by the cap when they differ). */
const stored = (
  id: number,
  date: string,
  planned: string,
  moved: unknown = date === planned ? undefined : { from: planned, steps: ["daily_cap"] }
): EmailScheduleRow => ({
  id,
  contact_id: 1,
  email_type: "aep",
  scheduled_send_date: date,
  scheduled_send_time: "08:30:00",
  status: "pre-scheduled",
  skip_reason: null,
  priority: 30,
  campaign_instance_id: null,
  email_template: null,
  sms_template: null,
  event_year: 2026,
  event_month: 9,
  event_day: 15,
  scheduler_run_id: "run_x",
  metadata: canonicalJson({ v: 1, date_rule: "on_time", planned_date: planned, moved }),
  actual_send_datetime: null
})

const hold = (
  rows: ReadonlyArray<PlannedEmail>,
  storedRows: ReadonlyArray<EmailScheduleRow>,
  subject: WindowSubject = TX
) => holdRows(rows, buildHistory(storedRows, TODAY), { subject, exclusion, today: TODAY })

describe("plan stability: which rows are held where an earlier run stored them (docs/business-rules.md §10.5)", () => {
  it("a row the cap moved stays on its stored day, keeping the stored explanation", () => {
    const [row] = hold([aep("2026-09-15")], [stored(7, "2026-09-18", "2026-09-15")])
    assert.deepStrictEqual(row?.hold, { date: "2026-09-18", steps: DAILY_CAP, jitter: 0 })
  })

  it("a smoothed row keeps its jitter; a row on its planned day is held there", () => {
    const smoothed = stored(7, "2026-09-14", "2026-09-15", { from: "2026-09-15", steps: ["ed_smoothing"], jitter: -1 })
    assert.deepStrictEqual(hold([aep("2026-09-15")], [smoothed])[0]?.hold, {
      date: "2026-09-14",
      steps: ED_SMOOTHING,
      jitter: -1
    })
    assert.deepStrictEqual(hold([aep("2026-09-15")], [stored(7, "2026-09-15", "2026-09-15")])[0]?.hold, {
      date: "2026-09-15",
      steps: 0,
      jitter: 0
    })
  })

  it("a row whose planned date changed (new settings or data) is balanced again from its new date", () => {
    assert.isUndefined(hold([aep("2026-09-15")], [stored(7, "2026-09-18", "2026-09-10")])[0]?.hold)
  })

  it("a row keeps the date of the commitment the planner reused", () => {
    // Planned 2026-05-20 (now past) and moved to 06-03: the planner reuses 06-03 as its date (spec §5.6.3).
    const row = aep("2026-06-03", { commitmentId: 7 })
    assert.deepStrictEqual(hold([row], [stored(7, "2026-06-03", "2026-05-20")])[0]?.hold, {
      date: "2026-06-03",
      steps: 0,
      jitter: 0
    })
  })

  it("is not held on a day that is no longer acceptable: in a window, past, after its latest date, or taken", () => {
    // In the CA contact's birthday window (a window-tested row may not sit there).
    assert.isUndefined(hold([aep("2026-09-15")], [stored(7, "2026-08-10", "2026-09-15")], CA)[0]?.hold)
    // Before today.
    assert.isUndefined(hold([aep("2026-09-15")], [stored(7, "2026-05-30", "2026-09-15")])[0]?.hold)
    // After its latest date.
    const late = aep("2026-09-15", { latestDate: "2026-09-16" })
    assert.isUndefined(hold([late], [stored(7, "2026-09-18", "2026-09-15")])[0]?.hold)
    // Another row of the plan has the key (same type, that day).
    const other = aep("2026-09-18", { identity: Identity.event("aep", "2027-09-15"), eventDate: "2027-09-15" })
    const [first] = hold([aep("2026-09-15"), other], [stored(7, "2026-09-18", "2026-09-15")])
    assert.isUndefined(first?.hold)
  })

  it("skipped rows and rows without an identity are never held", () => {
    const skipped = aep("2026-09-15", { status: "skipped", skipReason: "frequency_limit" })
    assert.isUndefined(hold([skipped], [stored(7, "2026-09-18", "2026-09-15")])[0]?.hold)
    const anonymous = aep("2026-09-15", { identity: undefined })
    assert.isUndefined(hold([anonymous], [stored(7, "2026-09-18", "2026-09-15")])[0]?.hold)
  })
})
