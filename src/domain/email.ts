import { Schema } from "effect"

/** Statuses the scheduler writes; every other status belongs to the sending system (spec §1.3). */
export const SchedulerStatus = Schema.Literal("pre-scheduled", "skipped")
export type SchedulerStatus = typeof SchedulerStatus.Type

/** Statuses of the sending system that count towards frequency limits (spec §9). */
export const SenderStatus = Schema.Literal("scheduled", "processing", "sent", "delivered")
export type SenderStatus = typeof SenderStatus.Type

/** Any stored status: the sender may write values we do not know, and they are "handled" too. */
export const EmailStatus = Schema.String
export const isHandledStatus = (status: string): boolean => status !== "pre-scheduled" && status !== "skipped"

export const FOLLOWUP_TYPES = [
  "followup_1_cold",
  "followup_2_clicked_no_hq",
  "followup_3_hq_no_yes",
  "followup_4_hq_with_yes"
] as const

/** Campaign type names: lowercase letters, digits and `_` (spec §2.5). */
export const CampaignTypeName = Schema.String.pipe(Schema.pattern(/^[a-z0-9_]+$/), Schema.brand("CampaignTypeName"))
export type CampaignTypeName = typeof CampaignTypeName.Type

/** The email types of spec §5.1; campaign emails are `campaign_<type name>`. */
export const EmailType = Schema.Union(
  Schema.Literal("birthday", "effective_date", "aep", "post_window", ...FOLLOWUP_TYPES),
  Schema.TemplateLiteral(Schema.Literal("campaign_"), Schema.String).pipe(Schema.pattern(/^campaign_[a-z0-9_]+$/))
)
export type EmailType = typeof EmailType.Type

export const isFollowupType = (type: string): boolean => type.startsWith("followup")

/** Follow-ups and post-window emails neither count nor are limited (spec §9). */
export const isFrequencyExempt = (type: string): boolean => isFollowupType(type) || type === "post_window"

/** Machine codes of `skip_reason` (spec §14.1). */
export const SkipReason = Schema.Union(
  Schema.Literal("failed_underwriting", "campaign_priority_conflict", "frequency_limit"),
  Schema.TemplateLiteral(
    Schema.Literal("year_round:", "birthday_window:", "effective_date_window:"),
    Schema.String
  ).pipe(Schema.pattern(/^(?:year_round|birthday_window|effective_date_window):[A-Z]{2}$/))
)
export type SkipReason = typeof SkipReason.Type

/** An `email_schedules` row as stored, with the columns the scheduler reads (spec §2.4). */
export const EmailScheduleRow = Schema.Struct({
  id: Schema.Int,
  contact_id: Schema.Int,
  email_type: Schema.String,
  scheduled_send_date: Schema.String,
  scheduled_send_time: Schema.NullOr(Schema.String),
  status: EmailStatus,
  skip_reason: Schema.NullOr(Schema.String),
  priority: Schema.NullOr(Schema.Int),
  campaign_instance_id: Schema.NullOr(Schema.Int),
  email_template: Schema.NullOr(Schema.String),
  sms_template: Schema.NullOr(Schema.String),
  event_year: Schema.NullOr(Schema.Int),
  event_month: Schema.NullOr(Schema.Int),
  event_day: Schema.NullOr(Schema.Int),
  scheduler_run_id: Schema.NullOr(Schema.String),
  metadata: Schema.NullOr(Schema.String),
  actual_send_datetime: Schema.NullOr(Schema.String)
})
export type EmailScheduleRow = typeof EmailScheduleRow.Type
