import type { EnrollmentRow } from "../domain/campaign.js"
import type { Contact } from "../domain/contact.js"
import { addDays, type IsoDate, readLooseDate } from "../domain/dates.js"
import { hash30 } from "../rules/hash.js"
import type { Settings } from "../settings/settings.js"
import { type CampaignSetup, matchesInstance, type ProcessedInstance, spreadSpan } from "./campaigns.js"
import { Identity } from "./history.js"
import { Horizon } from "./horizon.js"
import type { Candidate } from "./plan.js"

/** Enrollment statuses the scheduler (re)evaluates (spec §7.4); `sent` and any other status are left alone. */
const EVALUATED: ReadonlySet<string> = new Set(["pending", "scheduled", "skipped"])

export interface CampaignCandidates {
  readonly candidates: ReadonlyArray<Candidate>
  /** Enrollments that become `skipped` without a candidate: invalid contact, no match (spec §7.4, §7.9). */
  readonly skippedEnrollments: ReadonlyArray<number>
  readonly warnings: ReadonlyArray<string>
}

/** Spec §7.4–§7.6: the campaign email of one trigger of one instance. */
const campaignCandidate = (
  contact: Contact,
  instance: ProcessedInstance,
  trigger: IsoDate | undefined,
  enrollmentIds: ReadonlyArray<number>,
  horizon: Horizon
): Candidate => {
  const type = instance.type
  const t = trigger ?? instance.activeStart ?? horizon.today
  const open = trigger === undefined && instance.activeStart === undefined
  // An open trigger is dated from today itself.
  if (open) horizon.usesToday()
  let ideal: IsoDate
  let latest: IsoDate | undefined
  let spread: Record<string, unknown> | undefined
  if (instance.spread !== undefined) {
    const span = spreadSpan(instance.spread)
    const input = String(contact.id)
    const hash = hash30(input)
    const offset = hash % span
    ideal = addDays(instance.spread.start, offset)
    latest = instance.spread.end
    spread = { input, hash, span, offset }
  } else {
    const n = type.days_before_event
    ideal = addDays(t, -n)
    latest = n > 0 ? addDays(t, -1) : undefined
  }
  return {
    emailType: instance.emailType,
    eventDate: t,
    idealDate: ideal,
    latestDate: latest,
    priority: type.priority,
    campaignInstanceId: instance.id,
    emailTemplate: instance.emailTemplate,
    smsTemplate: instance.smsTemplate,
    subjectToExclusions: type.respect_exclusion_windows,
    identity: Identity.campaign(instance.emailType, instance.id, trigger),
    commitmentOnly: open ? "open_trigger" : undefined,
    late: "catch_up",
    onTimeRule: spread === undefined ? "on_time" : "spread",
    explanation: {
      ...(spread === undefined ? {} : { spread }),
      campaign: {
        type: type.name,
        instance_name: instance.name,
        trigger_date: t,
        ...(enrollmentIds.length > 0 ? { enrollment_ids: [...enrollmentIds].sort((a, b) => a - b) } : {})
      }
    },
    campaignUnderwriting: type.skip_failed_underwriting ? type.name : undefined,
    enrollmentIds,
    parentId: undefined
  }
}

/**
 * The campaign candidates of one contact, per processed instance in ascending id (spec §7.3, §7.4): path A gives
 * every matching contact one email; path B one email per distinct trigger of its evaluated enrollments.
 */
export const campaignCandidates = (
  contact: Contact,
  enrollments: ReadonlyArray<EnrollmentRow>,
  setup: CampaignSetup,
  settings: Settings,
  today: IsoDate,
  horizon: Horizon = new Horizon(today)
): CampaignCandidates => {
  const candidates: Array<Candidate> = []
  const skippedEnrollments: Array<number> = []
  const warnings: Array<string> = []
  for (const instance of setup.instances) {
    if (instance.type.target_all_contacts) {
      if (contact.emailValid && matchesInstance(instance, contact, settings)) {
        candidates.push(campaignCandidate(contact, instance, undefined, [], horizon))
      }
      continue
    }
    const byTrigger = new Map<IsoDate | undefined, Array<number>>()
    for (const enrollment of enrollments) {
      if (enrollment.campaign_instance_id !== instance.id || !EVALUATED.has(enrollment.status)) continue
      const trigger = readLooseDate(enrollment.trigger_date)
      if (trigger._tag === "Invalid") {
        warnings.push(`enrollment ${enrollment.id} has the unreadable trigger_date "${trigger.raw}"; it is ignored`)
        continue
      }
      const key = trigger._tag === "Valid" ? trigger.date : undefined
      const group = byTrigger.get(key) ?? []
      group.push(enrollment.id)
      byTrigger.set(key, group)
    }
    if (byTrigger.size === 0) continue
    if (!contact.emailValid || !matchesInstance(instance, contact, settings)) {
      for (const ids of byTrigger.values()) skippedEnrollments.push(...ids)
      continue
    }
    const triggers = [...byTrigger.keys()].sort((a, b) =>
      a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : a < b ? -1 : 1
    )
    for (const trigger of triggers) {
      candidates.push(campaignCandidate(contact, instance, trigger, byTrigger.get(trigger) ?? [], horizon))
    }
  }
  return { candidates, skippedEnrollments, warnings }
}
