import { Schema } from "effect"
import { sentence } from "../domain/sentence.js"
import type { RulesetName } from "../rules/rulesets.js"

export const SizeProfileName = Schema.Literal("small", "medium", "large", "enterprise")
export type SizeProfileName = typeof SizeProfileName.Type
export const isSizeProfileName = Schema.is(SizeProfileName)

/** The effective organization settings of one run (spec §13.2), named as in the spec and the database. */
export interface Settings {
  readonly timezone: string
  readonly ruleset: RulesetName
  readonly pre_exclusion_buffer_days: number
  readonly birthday_days_before: number
  readonly effective_date_days_before: number
  readonly effective_date_first_email_months: number
  readonly aep_enabled: boolean
  readonly aep_month: number
  readonly aep_day: number
  readonly enable_post_window_emails: boolean
  readonly exclude_failed_underwriting_global: boolean
  readonly send_without_zipcode_for_universal: boolean
  readonly max_emails_per_period: number
  readonly frequency_period_days: number
  readonly catch_up_spread_days: number
  readonly followup_lookback_days: number
  readonly followup_delay_days: number
  readonly send_time_hour: number
  readonly send_time_minute: number
  /** undefined = auto-detect from the number of contacts (spec §10.1). */
  readonly size_profile: SizeProfileName | undefined
  /** Overrides of the chosen profile; undefined = the profile's value. The cap is in basis points (spec §10.2). */
  readonly daily_cap_basis_points: number | undefined
  readonly ed_daily_soft_limit: number | undefined
  readonly ed_smoothing_window_days: number | undefined
  readonly batch_size: number | undefined
  /** In hundredths, as the spec computes with them: 1.2 → 120 (spec §10.2). */
  readonly overage_threshold_hundredths: number
  readonly ed_share_of_daily_cap_hundredths: number
  readonly birthday_priority: number
  readonly effective_date_priority: number
  readonly aep_priority: number
  readonly post_window_priority: number
}

export const SettingSource = Schema.Literal("flag", "env", "organization", "config_overrides", "default", "profile")
export type SettingSource = typeof SettingSource.Type

/** Raised before anything is written when any setting is invalid; lists every problem at once (spec §13.3). */
export class SettingsInvalid extends Schema.TaggedError<SettingsInvalid>()("SettingsInvalid", {
  problems: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return sentence(`Invalid settings: ${this.problems.join("; ")}`)
  }
}
