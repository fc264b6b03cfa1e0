import { addDays, daysBetween, type IsoDate, readLooseDate } from "../domain/dates.js"
import { type EmailScheduleRow, isFollowupType } from "../domain/email.js"
import {
  type ContactEventRow,
  ELIGIBILITY_ANSWERED,
  isTrueFlag,
  latestEligibilityAnswer,
  metadataObject,
  type TrackingClickRow
} from "../domain/events.js"
import type { Settings } from "../settings/settings.js"
import type { CampaignSetup } from "./campaigns.js"
import { type ContactHistory, Identity, sendDateOf, storedEventDate } from "./history.js"
import { Horizon } from "./horizon.js"
import type { Candidate } from "./plan.js"

export type Behaviour = "cold" | "clicked_no_hq" | "hq_no_yes" | "hq_with_yes"

const FOLLOWUP_TYPE: Readonly<Record<Behaviour, string>> = {
  cold: "followup_1_cold",
  clicked_no_hq: "followup_2_clicked_no_hq",
  hq_no_yes: "followup_3_hq_no_yes",
  hq_with_yes: "followup_4_hq_with_yes"
}

const CAMPAIGN_PREFIX = "campaign_"

const BUILTIN_PARENTS: ReadonlySet<string> = new Set(["birthday", "effective_date", "aep", "post_window"])

const datePart = (timestamp: string): IsoDate | undefined => {
  const read = readLooseDate(timestamp)
  return read._tag === "Valid" ? read.date : undefined
}

/** A number or a numeric string greater than zero. */
const positive = (value: unknown): boolean => {
  const number =
    typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN
  return Number.isFinite(number) && number > 0
}

/** Spec §8.2: what the contact did on or after the parent's send date (date parts, no time-zone conversion). */
export const behaviourSince = (
  sent: IsoDate,
  events: ReadonlyArray<ContactEventRow>,
  clicks: ReadonlyArray<TrackingClickRow>
): Behaviour => {
  const answers = events.filter((e) => e.event_type === ELIGIBILITY_ANSWERED && (datePart(e.created_at) ?? "") >= sent)
  const latest = latestEligibilityAnswer(answers)
  if (latest !== undefined) {
    const metadata = metadataObject(latest.metadata)
    return isTrueFlag(metadata.has_medical_conditions) || positive(metadata.main_questions_yes_count)
      ? "hq_with_yes"
      : "hq_no_yes"
  }
  return clicks.some((c) => (datePart(c.clicked_at) ?? "") >= sent) ? "clicked_no_hq" : "cold"
}

/** The default priority of a parent's type, for a parent row whose priority is NULL (spec §8.3). */
const defaultPriority = (type: string, settings: Settings, setup: CampaignSetup): number => {
  switch (type) {
    case "birthday":
      return settings.birthday_priority
    case "effective_date":
      return settings.effective_date_priority
    case "aep":
      return settings.aep_priority
    case "post_window":
      return settings.post_window_priority
    default:
      return setup.typesByName.get(type.slice(CAMPAIGN_PREFIX.length))?.priority ?? settings.birthday_priority
  }
}

const isParentType = (type: string, setup: CampaignSetup): boolean =>
  BUILTIN_PARENTS.has(type) ||
  (type.startsWith(CAMPAIGN_PREFIX) &&
    setup.typesByName.get(type.slice(CAMPAIGN_PREFIX.length))?.enable_followups === true)

/**
 * Spec §8: one follow-up candidate per parent (a sent or delivered email of the last `followup_lookback_days`, or an
 * older one whose follow-up is still committed), in ascending parent id.
 */
export const followupCandidates = (options: {
  readonly history: ContactHistory
  readonly events: ReadonlyArray<ContactEventRow>
  readonly clicks: ReadonlyArray<TrackingClickRow>
  readonly setup: CampaignSetup
  readonly settings: Settings
  readonly today: IsoDate
  /** Records the tests against today (plan/horizon.ts). */
  readonly horizon?: Horizon
}): ReadonlyArray<Candidate> => {
  const { history, setup, settings, today } = options
  const horizon = options.horizon ?? new Horizon(today)
  const parents = history.rows
    .filter(
      (row: EmailScheduleRow) =>
        (row.status === "sent" || row.status === "delivered") && !isFollowupType(row.email_type)
    )
    .filter((row) => isParentType(row.email_type, setup))
    .sort((a, b) => a.id - b.id)
  const candidates: Array<Candidate> = []
  for (const parent of parents) {
    const sent = sendDateOf(parent)
    // A parent without a send date cannot be dated: no follow-up (a sender wrote something that is no date).
    if (sent === undefined) continue
    const identity = Identity.followup(parent.id)
    const age = daysBetween(sent, today)
    const inLookback = age >= 0 && age <= settings.followup_lookback_days
    // The lookback starts on the send date and ends `followup_lookback_days` later.
    if (age < 0) horizon.changesOn(sent)
    else if (inLookback) horizon.lastsThrough(addDays(sent, settings.followup_lookback_days))
    if (!inLookback && !history.commitments.has(identity)) continue
    const behaviour = behaviourSince(sent, options.events, options.clicks)
    const campaignType = parent.email_type.startsWith("campaign_")
      ? setup.typesByName.get(parent.email_type.slice(9))
      : undefined
    candidates.push({
      emailType: FOLLOWUP_TYPE[behaviour],
      eventDate: storedEventDate(parent),
      idealDate: addDays(sent, settings.followup_delay_days),
      latestDate: undefined,
      priority: parent.priority ?? defaultPriority(parent.email_type, settings, setup),
      campaignInstanceId: parent.campaign_instance_id ?? undefined,
      emailTemplate: undefined,
      smsTemplate: undefined,
      subjectToExclusions: true,
      identity,
      commitmentOnly: undefined,
      late: "tomorrow",
      onTimeRule: "on_time",
      explanation: {
        followup: {
          parent_email_id: parent.id,
          parent_email_type: parent.email_type,
          parent_sent_date: sent,
          behaviour
        }
      },
      campaignUnderwriting: campaignType?.skip_failed_underwriting ? campaignType.name : undefined,
      enrollmentIds: [],
      parentId: parent.id
    })
  }
  return candidates
}
