import type { Contact } from "../domain/contact.js"
import type { IsoDate } from "../domain/dates.js"
import { UNDERWRITING_GLOBAL_TEXT, windowMetadata, windowReasonText } from "../rules/explanations.js"
import type { Rules } from "../rules/RulesEngine.js"
import { type ExclusionContext, exclusionAt } from "../rules/windows.js"
import type { Settings } from "../settings/settings.js"
import { builtinCandidates } from "./builtin-emails.js"
import { type ContactHistory, commitmentFor, emailKey, eventIdentity } from "./history.js"
import type { CandidateTrace, PlannedEmail } from "./plan.js"
import { type PostWindowTrace, postWindowEmails } from "./post-window.js"
import { resolveDate } from "./resolve-date.js"

export interface PlanContext {
  readonly today: IsoDate
  readonly settings: Settings
  readonly exclusion: ExclusionContext
}

/** The planning context of a run: the organization's rules on `today`. */
export const planContext = (rules: Rules, today: IsoDate): PlanContext => ({
  today,
  settings: rules.settings,
  exclusion: rules.exclusion
})

export interface ContactPlanInput {
  readonly contact: Contact
  readonly history: ContactHistory
  readonly failedUnderwriting: boolean
}

export interface ContactPlan {
  readonly rows: ReadonlyArray<PlannedEmail>
  readonly trace: ReadonlyArray<CandidateTrace>
  readonly postWindow: ReadonlyArray<PostWindowTrace>
  /** Candidates dropped because a handled row holds their key (spec §5.6.2). */
  readonly droppedHandled: number
  /** Candidates discarded by the same-key rule (spec §11 step 5). */
  readonly droppedDuplicate: number
}

const EMPTY: ContactPlan = { rows: [], trace: [], postWindow: [], droppedHandled: 0, droppedDuplicate: 0 }

/** Spec §11 step 5: pre-scheduled before skipped, then lower priority, then lower campaign instance id. */
const preferred = (a: PlannedEmail, b: PlannedEmail): number =>
  (a.status === "pre-scheduled" ? 0 : 1) - (b.status === "pre-scheduled" ? 0 : 1) ||
  a.priority - b.priority ||
  (a.campaignInstanceId ?? 0) - (b.campaignInstanceId ?? 0)

/**
 * The plan of one contact for the emails of spec §5 and §6 (birthday, effective date, AEP, post-window), in the
 * order of spec §11. A pure function of the contact, its stored rows, the settings and today.
 */
export const planContact = (input: ContactPlanInput, context: PlanContext): ContactPlan => {
  const { contact, history } = input
  if (!contact.emailValid) return EMPTY
  const { settings, today, exclusion } = context
  const globalUnderwriting = input.failedUnderwriting && settings.exclude_failed_underwriting_global
  const trace: Array<CandidateTrace> = []
  const candidates: Array<PlannedEmail> = []
  let droppedHandled = 0

  for (const candidate of builtinCandidates(contact, settings, today)) {
    const facts = {
      emailType: candidate.emailType,
      eventDate: candidate.eventDate,
      idealDate: candidate.idealDate,
      latestDate: candidate.latestDate
    }
    const drop = (reason: string) => trace.push({ ...facts, outcome: { _tag: "Dropped", reason } })
    const identity = eventIdentity(candidate.emailType, candidate.eventDate)
    if (history.handledIdentities.has(identity)) {
      drop("already handled by the sender (sent or being sent)")
      continue
    }
    const resolved = resolveDate({
      contactId: contact.id,
      emailType: candidate.emailType,
      eventDate: candidate.eventDate,
      idealDate: candidate.idealDate,
      latestDate: candidate.latestDate,
      onTimeRule: "on_time",
      commitmentOnly: candidate.previousCycle ? "previous_cycle" : undefined,
      commitment: commitmentFor(history, identity, candidate.latestDate),
      today,
      catchUpSpreadDays: settings.catch_up_spread_days
    })
    if (resolved === undefined) {
      drop(
        candidate.previousCycle
          ? "previous AEP cycle: only an earlier run's row could keep it, and there is none"
          : "the ideal date is past and no catch-up date is left before the latest date"
      )
      continue
    }
    if (history.handledKeys.has(emailKey(candidate.emailType, resolved.date))) {
      droppedHandled++
      drop(`a handled row already has the key ${candidate.emailType} on ${resolved.date}`)
      continue
    }
    const base = {
      v: 1,
      ...resolved.explanation,
      ideal_date: candidate.idealDate,
      planned_date: resolved.date,
      event_date: candidate.eventDate,
      latest_date: candidate.latestDate
    }
    // Spec §7.8: the underwriting test comes first, and a row skipped for it is not window-tested.
    const skipped = globalUnderwriting && candidate.emailType !== "aep"
    const hit = skipped ? undefined : exclusionAt(exclusion, contact, resolved.date)
    const row: PlannedEmail = {
      contactId: contact.id,
      emailType: candidate.emailType,
      date: resolved.date,
      status: skipped || hit !== undefined ? "skipped" : "pre-scheduled",
      skipReason: skipped ? "failed_underwriting" : hit?.code,
      priority: candidate.priority,
      campaignInstanceId: undefined,
      emailTemplate: undefined,
      smsTemplate: undefined,
      eventDate: candidate.eventDate,
      latestDate: candidate.latestDate,
      subjectToExclusions: true,
      skippedBy: !skipped && hit !== undefined && hit.kind !== "year_round" ? hit : undefined,
      metadata: skipped
        ? { ...base, reason_text: UNDERWRITING_GLOBAL_TEXT, underwriting: "global" }
        : hit !== undefined
          ? { ...base, reason_text: windowReasonText(hit, resolved.date), window: windowMetadata(hit) }
          : base
    }
    candidates.push(row)
    trace.push({ ...facts, outcome: { _tag: "Planned", row } })
  }

  const byKey = new Map<string, PlannedEmail>()
  let droppedDuplicate = 0
  for (const row of candidates) {
    const key = emailKey(row.emailType, row.date)
    const other = byKey.get(key)
    if (other !== undefined) droppedDuplicate++
    if (other === undefined || preferred(row, other) < 0) byKey.set(key, row)
  }
  const rows = [...byKey.values()]

  const postWindow = postWindowEmails({
    contactId: contact.id,
    subject: contact,
    plan: rows,
    history,
    context: exclusion,
    qualifies: settings.enable_post_window_emails && contact.state !== undefined && !globalUnderwriting,
    priority: settings.post_window_priority,
    today
  })
  return {
    rows: [...rows, ...postWindow.rows],
    trace,
    postWindow: postWindow.traces,
    droppedHandled: droppedHandled + postWindow.droppedHandled,
    droppedDuplicate
  }
}
