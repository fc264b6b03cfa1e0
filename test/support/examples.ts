import { Either } from "effect"
import { ContactRow, validateContact } from "../../src/domain/contact.js"
import { EmailScheduleRow } from "../../src/domain/email.js"
import { RULESETS } from "../../src/rules/rulesets.js"
import { buildHistory } from "../../src/scheduling/history.js"
import { type ContactPlan, planContact } from "../../src/scheduling/plan-contact.js"
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
      }
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
