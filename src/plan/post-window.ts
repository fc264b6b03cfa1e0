import { addDays, type IsoDate } from "../domain/dates.js"
import { windowMetadata } from "../rules/explanations.js"
import { type ExclusionContext, exclusionAt, type WindowHit, type WindowSubject } from "../rules/windows.js"
import { type ContactHistory, emailKey, Identity, storedEventDate } from "./history.js"
import type { PlannedEmail } from "./plan.js"

const MAX_STEPS = 10

/** What happened to one window that skipped an email, for `explain`. */
export interface PostWindowTrace {
  readonly window: WindowHit
  readonly date: IsoDate | undefined
  readonly outcome: string
}

export interface PostWindowResult {
  readonly rows: ReadonlyArray<PlannedEmail>
  readonly traces: ReadonlyArray<PostWindowTrace>
  readonly droppedHandled: number
}

/** P = the window's end + 1, walked past overlapping birthday/effective-date windows (spec §6 step 2). */
export const postWindowDate = (
  context: ExclusionContext,
  subject: WindowSubject,
  window: WindowHit
): { readonly date: IsoDate } | { readonly failure: string } => {
  let date = addDays(window.end, 1)
  for (let steps = 0; ; steps++) {
    const hit = exclusionAt(context, subject, date)
    if (hit === undefined) return { date }
    if (hit.kind === "year_round") return { failure: `${date} falls under year-round rule ${hit.rule.id}` }
    if (steps === MAX_STEPS) return { failure: `still inside a window after ${MAX_STEPS} steps` }
    date = addDays(hit.end, 1)
  }
}

/** A pre-scheduled post-window row (spec §6 step 4): exempt from frequency limits, no latest date. */
const postWindowRow = (
  contactId: number,
  date: IsoDate,
  priority: number,
  eventDate: IsoDate | undefined,
  metadata: Readonly<Record<string, unknown>>,
  commitmentId?: number
): PlannedEmail => ({
  contactId,
  emailType: "post_window",
  date,
  status: "pre-scheduled",
  skipReason: undefined,
  priority,
  campaignInstanceId: undefined,
  emailTemplate: undefined,
  smsTemplate: undefined,
  eventDate,
  latestDate: undefined,
  subjectToExclusions: true,
  skippedBy: undefined,
  enrollmentIds: [],
  parentId: undefined,
  identity: eventDate === undefined ? undefined : Identity.event("post_window", eventDate),
  commitmentId,
  metadata
})

const byEndThenRule = (a: WindowHit, b: WindowHit) =>
  a.end < b.end ? -1 : a.end > b.end ? 1 : a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0

/**
 * Spec §6: one post-window email per window that skipped an email of this plan, plus the carry-forward of stored
 * post-window rows. `qualifies` is false when post-window emails are off, the contact has no state, or it failed
 * underwriting under the organization-wide exclusion.
 */
export const postWindowEmails = (options: {
  readonly contactId: number
  readonly subject: WindowSubject
  readonly plan: ReadonlyArray<PlannedEmail>
  readonly history: ContactHistory
  readonly context: ExclusionContext
  readonly qualifies: boolean
  readonly priority: number
  readonly today: IsoDate
}): PostWindowResult => {
  if (!options.qualifies) return { rows: [], traces: [], droppedHandled: 0 }
  const { history, context, subject } = options
  const windows = new Map<string, WindowHit>()
  for (const row of options.plan) {
    const window = row.skippedBy
    if (row.status === "skipped" && window !== undefined) windows.set(`${window.rule.id}|${window.anchor}`, window)
  }
  const rows: Array<PlannedEmail> = []
  const traces: Array<PostWindowTrace> = []
  const generated = new Set<string>()
  const taken = new Set(options.plan.map((row) => emailKey(row.emailType, row.date)))
  let droppedHandled = 0
  for (const window of [...windows.values()].sort(byEndThenRule)) {
    const found = postWindowDate(context, subject, window)
    if ("failure" in found) {
      traces.push({ window, date: undefined, outcome: `no post-window email: ${found.failure}` })
      continue
    }
    const identity = Identity.event("post_window", window.event)
    generated.add(identity)
    const key = emailKey("post_window", found.date)
    if (history.handledIdentities.has(identity)) {
      traces.push({ window, date: found.date, outcome: "already handled by the sender" })
    } else if (history.handledKeys.has(key)) {
      droppedHandled++
      traces.push({ window, date: found.date, outcome: "a handled row already has this key" })
    } else if (taken.has(key)) {
      traces.push({ window, date: found.date, outcome: "same date as another window's post-window email" })
    } else {
      taken.add(key)
      traces.push({ window, date: found.date, outcome: "planned" })
      rows.push(
        postWindowRow(options.contactId, found.date, options.priority, window.event, {
          v: 1,
          date_rule: "post_window",
          ideal_date: found.date,
          planned_date: found.date,
          event_date: window.event,
          window: windowMetadata(window)
        })
      )
    }
  }

  // Step 5: stored post-window rows stay planned on their base date while it is outside every window.
  for (const stored of history.postWindowRows) {
    const event = storedEventDate(stored.row)
    const identity = event === undefined ? undefined : Identity.event("post_window", event)
    if (identity !== undefined && generated.has(identity)) continue
    const key = emailKey("post_window", stored.baseDate)
    if (taken.has(key) || exclusionAt(context, subject, stored.baseDate) !== undefined) continue
    if (identity !== undefined) generated.add(identity)
    taken.add(key)
    rows.push(
      postWindowRow(
        options.contactId,
        stored.baseDate,
        options.priority,
        event,
        { ...stored.metadata, planned_date: stored.baseDate },
        stored.row.id
      )
    )
  }
  return { rows, traces, droppedHandled }
}
