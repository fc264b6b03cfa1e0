import { Schema } from "effect"

/** SQLite stores booleans as INTEGER 0/1 (spec §2). Any other value is a malformed row. */
export const SqliteBoolean = Schema.transform(Schema.Literal(0, 1), Schema.Boolean, {
  strict: true,
  decode: (bit) => bit === 1,
  encode: (flag) => (flag ? 1 : 0)
})

/** A `campaign_types` row (spec §2.5). The name is checked by the rules, not here, so a bad name can be warned about. */
export class CampaignTypeRow extends Schema.Class<CampaignTypeRow>("CampaignTypeRow")({
  id: Schema.Int,
  name: Schema.String,
  respect_exclusion_windows: SqliteBoolean,
  enable_followups: SqliteBoolean,
  days_before_event: Schema.Int,
  target_all_contacts: SqliteBoolean,
  priority: Schema.Int,
  active: SqliteBoolean,
  spread_evenly: SqliteBoolean,
  skip_failed_underwriting: SqliteBoolean
}) {}

/** A `campaign_instances` row (spec §2.6); dates stay text until the rules read them (spec §3.3). */
export class CampaignInstanceRow extends Schema.Class<CampaignInstanceRow>("CampaignInstanceRow")({
  id: Schema.Int,
  campaign_type: Schema.String,
  instance_name: Schema.String,
  email_template: Schema.NullOr(Schema.String),
  sms_template: Schema.NullOr(Schema.String),
  active_start_date: Schema.NullOr(Schema.String),
  active_end_date: Schema.NullOr(Schema.String),
  spread_start_date: Schema.NullOr(Schema.String),
  spread_end_date: Schema.NullOr(Schema.String),
  target_states: Schema.NullOr(Schema.String),
  target_carriers: Schema.NullOr(Schema.String)
}) {}

export const EnrollmentStatus = Schema.Literal("pending", "scheduled", "sent", "skipped")
export type EnrollmentStatus = typeof EnrollmentStatus.Type

/** A `contact_campaigns` row (spec §2.7). */
export class EnrollmentRow extends Schema.Class<EnrollmentRow>("EnrollmentRow")({
  id: Schema.Int,
  contact_id: Schema.Int,
  campaign_instance_id: Schema.Int,
  trigger_date: Schema.NullOr(Schema.String),
  status: EnrollmentStatus
}) {}
