import type { EnrollmentRow } from "../domain/campaign.js"
import type { Contact } from "../domain/contact.js"
import type { IsoDate } from "../domain/dates.js"
import type { ContactEventRow, TrackingClickRow } from "../domain/events.js"
import {
  UNDERWRITING_GLOBAL_TEXT,
  underwritingCampaignText,
  windowMetadata,
  windowReasonText
} from "../rules/explanations.js"
import type { Rules } from "../rules/RulesEngine.js"
import { type ExclusionContext, exclusionAt } from "../rules/windows.js"
import type { Settings } from "../settings/settings.js"
import { builtinCandidates } from "./builtin-emails.js"
import { campaignCandidates } from "./campaign-emails.js"
import { type CampaignSetup, NO_CAMPAIGNS } from "./campaigns.js"
import { resolveCampaignConflicts } from "./conflicts.js"
import { followupCandidates } from "./followup-emails.js"
import { applyFrequencyLimit } from "./frequency.js"
import { type ContactHistory, commitmentFor, emailKey } from "./history.js"
import { holdRows } from "./holds.js"
import { earlierDay, Horizon } from "./horizon.js"
import type { Candidate, CandidateTrace, PlannedEmail } from "./plan.js"
import { type PostWindowTrace, postWindowEmails } from "./post-window.js"
import { resolveDate } from "./resolve-date.js"

export interface PlanContext {
  readonly today: IsoDate
  readonly settings: Settings
  readonly exclusion: ExclusionContext
  readonly campaigns: CampaignSetup
}

/** The planning context of a run: the organization's rules and campaigns on `today`. */
export const planContext = (rules: Rules, today: IsoDate, campaigns: CampaignSetup = NO_CAMPAIGNS): PlanContext => ({
  today,
  settings: rules.settings,
  exclusion: rules.exclusion,
  campaigns
})

export interface ContactPlanInput {
  readonly contact: Contact
  readonly history: ContactHistory
  readonly failedUnderwriting: boolean
  readonly enrollments?: ReadonlyArray<EnrollmentRow>
  readonly events?: ReadonlyArray<ContactEventRow>
  readonly clicks?: ReadonlyArray<TrackingClickRow>
}

export type EnrollmentStatus = "scheduled" | "skipped"

export interface ContactPlan {
  readonly rows: ReadonlyArray<PlannedEmail>
  readonly trace: ReadonlyArray<CandidateTrace>
  readonly postWindow: ReadonlyArray<PostWindowTrace>
  /** Candidates dropped because a handled row holds their key (spec §5.6.2). */
  readonly droppedHandled: number
  /** Candidates discarded by the same-key rule (spec §11 step 5). */
  readonly droppedDuplicate: number
  /** The status each evaluated enrollment should have (spec §7.9); absent ones stay unchanged. */
  readonly enrollmentStatus: ReadonlyMap<number, EnrollmentStatus>
  readonly warnings: ReadonlyArray<string>
  /**
   * The first day after today on which planning the same data (the same stored rows included) could give another
   * plan (plan/horizon.ts), or undefined when no date alone can change it. A run that writes a plan different from the
   * stored rows changes that data.
   */
  readonly changesOn: IsoDate | undefined
}

/** Spec §11 step 5: pre-scheduled before skipped, then lower priority, lower instance id, lower parent id. */
const preferred = (a: PlannedEmail, b: PlannedEmail): number =>
  (a.status === "pre-scheduled" ? 0 : 1) - (b.status === "pre-scheduled" ? 0 : 1) ||
  a.priority - b.priority ||
  (a.campaignInstanceId ?? 0) - (b.campaignInstanceId ?? 0) ||
  (a.parentId ?? 0) - (b.parentId ?? 0)

const NONE: ReadonlyArray<never> = []

/**
 * The plan of one contact (spec §11 steps 4–8): candidates, dates, underwriting and windows, same-key resolution,
 * campaign priority conflicts, frequency limits and post-window emails. A pure function of the contact, its stored
 * rows, events, clicks and enrollments, the settings and today.
 */
export const planContact = (input: ContactPlanInput, context: PlanContext): ContactPlan => {
  const { contact, history } = input
  const { settings, today, exclusion } = context
  const horizon = new Horizon(today)
  horizon.changesOn(earlierDay(history.changesOn, context.campaigns.changesOn))
  const enrollmentStatus = new Map<number, EnrollmentStatus>()
  const campaign = campaignCandidates(contact, input.enrollments ?? NONE, context.campaigns, settings, today, horizon)
  for (const id of campaign.skippedEnrollments) enrollmentStatus.set(id, "skipped")
  if (!contact.emailValid) {
    return {
      rows: [],
      trace: [],
      postWindow: [],
      droppedHandled: 0,
      droppedDuplicate: 0,
      enrollmentStatus,
      warnings: campaign.warnings,
      changesOn: horizon.first
    }
  }
  const globalUnderwriting = input.failedUnderwriting && settings.exclude_failed_underwriting_global
  const trace: Array<CandidateTrace> = []
  const planned: Array<PlannedEmail> = []
  let droppedHandled = 0
  const candidates: ReadonlyArray<Candidate> = [
    ...builtinCandidates(contact, settings, today, horizon),
    ...campaign.candidates,
    ...followupCandidates({
      history,
      events: input.events ?? NONE,
      clicks: input.clicks ?? NONE,
      setup: context.campaigns,
      settings,
      today,
      horizon
    })
  ]

  for (const candidate of candidates) {
    const facts = {
      emailType: candidate.emailType,
      eventDate: candidate.eventDate,
      idealDate: candidate.idealDate,
      latestDate: candidate.latestDate
    }
    const drop = (reason: string, enrollments: "skipped" | "unchanged") => {
      trace.push({ ...facts, outcome: { _tag: "Dropped", reason } })
      if (enrollments === "skipped") for (const id of candidate.enrollmentIds) enrollmentStatus.set(id, "skipped")
    }
    if (history.handledIdentities.has(candidate.identity)) {
      drop("already handled by the sender (sent or being sent)", "unchanged")
      continue
    }
    const resolved = resolveDate({
      contactId: contact.id,
      emailType: candidate.emailType,
      eventDate: candidate.eventDate ?? candidate.idealDate,
      idealDate: candidate.idealDate,
      latestDate: candidate.latestDate,
      onTimeRule: candidate.onTimeRule,
      commitmentOnly: candidate.commitmentOnly,
      late: candidate.late,
      commitment: commitmentFor(history, candidate.identity, candidate.latestDate),
      today,
      catchUpSpreadDays: settings.catch_up_spread_days,
      horizon
    })
    if (resolved === undefined) {
      drop(
        candidate.commitmentOnly === "previous_cycle"
          ? "previous AEP cycle: only an earlier run's row could keep it, and there is none"
          : "the ideal date is past and no catch-up date is left before the latest date",
        "skipped"
      )
      continue
    }
    if (history.handledKeys.has(emailKey(candidate.emailType, resolved.date))) {
      droppedHandled++
      drop(`a handled row already has the key ${candidate.emailType} on ${resolved.date}`, "skipped")
      continue
    }
    const base = {
      v: 1,
      ...candidate.explanation,
      ...resolved.explanation,
      ideal_date: candidate.idealDate,
      planned_date: resolved.date,
      event_date: candidate.eventDate,
      latest_date: candidate.latestDate
    }
    // Spec §7.8: the underwriting test comes first, and a row skipped for it is not window-tested.
    const underwriting =
      globalUnderwriting && candidate.emailType !== "aep"
        ? ({ underwriting: "global", reason_text: UNDERWRITING_GLOBAL_TEXT } as const)
        : input.failedUnderwriting && candidate.campaignUnderwriting !== undefined
          ? ({
              underwriting: "campaign",
              reason_text: underwritingCampaignText(candidate.campaignUnderwriting)
            } as const)
          : undefined
    const hit =
      underwriting === undefined && candidate.subjectToExclusions
        ? exclusionAt(exclusion, contact, resolved.date)
        : undefined
    const row: PlannedEmail = {
      contactId: contact.id,
      emailType: candidate.emailType,
      date: resolved.date,
      status: underwriting !== undefined || hit !== undefined ? "skipped" : "pre-scheduled",
      skipReason: underwriting !== undefined ? "failed_underwriting" : hit?.code,
      priority: candidate.priority,
      campaignInstanceId: candidate.campaignInstanceId,
      emailTemplate: candidate.emailTemplate,
      smsTemplate: candidate.smsTemplate,
      eventDate: candidate.eventDate,
      latestDate: candidate.latestDate,
      subjectToExclusions: candidate.subjectToExclusions,
      skippedBy: hit !== undefined && hit.kind !== "year_round" ? hit : undefined,
      enrollmentIds: candidate.enrollmentIds,
      parentId: candidate.parentId,
      identity: candidate.identity,
      commitmentId: resolved.commitmentId,
      metadata:
        underwriting !== undefined
          ? { ...base, ...underwriting }
          : hit !== undefined
            ? { ...base, reason_text: windowReasonText(hit, resolved.date), window: windowMetadata(hit) }
            : base
    }
    planned.push(row)
    trace.push({ ...facts, outcome: { _tag: "Planned", row } })
  }

  const byKey = new Map<string, PlannedEmail>()
  let droppedDuplicate = 0
  for (const row of planned) {
    const key = emailKey(row.emailType, row.date)
    const other = byKey.get(key)
    if (other === undefined) {
      byKey.set(key, row)
      continue
    }
    droppedDuplicate++
    const [kept, discarded] = preferred(row, other) < 0 ? [row, other] : [other, row]
    byKey.set(key, kept)
    for (const id of discarded.enrollmentIds) enrollmentStatus.set(id, "skipped")
  }
  const afterConflicts = resolveCampaignConflicts([...byKey.values()])
  const limited = applyFrequencyLimit(
    afterConflicts,
    history.countedSendDays,
    settings.max_emails_per_period,
    settings.frequency_period_days
  )
  const postWindow = postWindowEmails({
    contactId: contact.id,
    subject: contact,
    plan: limited,
    history,
    context: exclusion,
    qualifies: settings.enable_post_window_emails && contact.state !== undefined && !globalUnderwriting,
    priority: settings.post_window_priority,
    today
  })
  const rows = holdRows([...limited, ...postWindow.rows], history, { subject: contact, exclusion, today, horizon })
  for (const row of rows) {
    for (const id of row.enrollmentIds)
      enrollmentStatus.set(id, row.status === "pre-scheduled" ? "scheduled" : "skipped")
  }
  return {
    rows,
    trace,
    postWindow: postWindow.traces,
    droppedHandled: droppedHandled + postWindow.droppedHandled,
    droppedDuplicate,
    enrollmentStatus,
    warnings: campaign.warnings,
    changesOn: horizon.first
  }
}
