import type { EmailScheduleRow } from "../domain/email.js"
import type { PlanRecord } from "../plan/index.js"

/** What the smart update of spec §12.3 did, row by row. */
export interface WriteCounts {
  readonly inserted: number
  readonly updated: number
  readonly deleted: number
  readonly unchanged: number
  readonly droppedHandled: number
}

export const NO_WRITES: WriteCounts = { inserted: 0, updated: 0, deleted: 0, unchanged: 0, droppedHandled: 0 }

export const addCounts = (a: WriteCounts, b: WriteCounts): WriteCounts => ({
  inserted: a.inserted + b.inserted,
  updated: a.updated + b.updated,
  deleted: a.deleted + b.deleted,
  unchanged: a.unchanged + b.unchanged,
  droppedHandled: a.droppedHandled + b.droppedHandled
})

/** Does a stored row differ from the planned record in any column the smart update compares (spec §12.3)? */
export const differs = (stored: EmailScheduleRow, planned: PlanRecord): boolean => {
  return (
    stored.scheduled_send_time !== planned.time ||
    stored.status !== planned.status ||
    stored.skip_reason !== planned.skipReason ||
    stored.priority !== planned.priority ||
    stored.campaign_instance_id !== planned.campaignInstanceId ||
    stored.email_template !== planned.emailTemplate ||
    stored.sms_template !== planned.smsTemplate ||
    stored.event_year !== planned.eventYear ||
    stored.event_month !== planned.eventMonth ||
    stored.event_day !== planned.eventDay ||
    stored.metadata !== planned.metadata
  )
}
