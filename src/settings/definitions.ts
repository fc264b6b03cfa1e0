/**
 * Every organization setting of spec §13.2, described once. Flags, environment variables, database columns,
 * defaults and the run report are all derived from this table.
 */

export type SettingKind = "int" | "bool" | "real" | "text"

export interface SettingDefinition {
  readonly kind: SettingKind
  /** undefined: the value comes from the size profile (spec §10.1) unless overridden. */
  readonly default: number | boolean | string | null | undefined
  /** false for the four profile values: their database source is the `config_overrides` JSON object. */
  readonly column: boolean
  readonly description: string
}

const setting =
  (kind: SettingKind) =>
  (value: number | boolean, description: string): SettingDefinition => ({
    kind,
    default: value,
    column: true,
    description
  })
const int = setting("int")
const bool = setting("bool")
const real = setting("real")
const fromProfile = (kind: SettingKind, description: string): SettingDefinition => ({
  kind,
  default: undefined,
  column: false,
  description
})

export const SETTINGS = {
  timezone: { kind: "text", default: "America/Chicago", column: true, description: "IANA zone that defines today" },
  ruleset: { kind: "text", default: "baseline", column: true, description: "baseline or statutes-2026" },
  pre_exclusion_buffer_days: int(60, "days added before every window start"),
  birthday_days_before: int(14, "birthday email = anniversary - this"),
  effective_date_days_before: int(30, "effective-date email = anniversary - this"),
  effective_date_first_email_months: int(11, "minimum whole months since the effective date"),
  aep_enabled: bool(true, "send the Annual Enrollment Period email"),
  aep_month: int(9, "month of the AEP email"),
  aep_day: int(15, "day of the AEP email"),
  enable_post_window_emails: bool(true, "send an email after each exclusion window"),
  exclude_failed_underwriting_global: bool(false, "contacts that failed underwriting get AEP emails only"),
  send_without_zipcode_for_universal: bool(true, "contacts with no state may receive universal campaigns"),
  max_emails_per_period: int(3, "frequency limit: emails per period"),
  frequency_period_days: int(30, "frequency limit: period length in days"),
  catch_up_spread_days: int(7, "days over which late emails are spread"),
  followup_lookback_days: int(35, "how far back sent emails get follow-ups"),
  followup_delay_days: int(2, "days between an email and its follow-up"),
  send_time_hour: int(8, "hour of scheduled_send_time (organization-local)"),
  send_time_minute: int(30, "minute of scheduled_send_time"),
  size_profile: { kind: "text", default: null, column: true, description: "small, medium, large, enterprise or auto" },
  daily_send_percentage_cap: fromProfile("real", "daily cap: > 1 is a percentage, (0, 1] a fraction"),
  ed_daily_soft_limit: fromProfile("int", "effective-date emails per day before smoothing"),
  ed_smoothing_window_days: fromProfile("int", "effective-date smoothing window in days"),
  batch_size: fromProfile("int", "contacts per write transaction"),
  overage_threshold: real(1.2, "daily cap tolerance, two decimals"),
  ed_share_of_daily_cap: real(0.3, "effective-date soft limit as a share of the daily cap, two decimals"),
  birthday_priority: int(10, "priority of birthday emails (lower is more important)"),
  effective_date_priority: int(20, "priority of effective-date emails"),
  aep_priority: int(30, "priority of AEP emails"),
  post_window_priority: int(40, "priority of post-window emails")
} as const satisfies Record<string, SettingDefinition>

export type SettingName = keyof typeof SETTINGS

export const SETTING_NAMES = Object.keys(SETTINGS) as ReadonlyArray<SettingName>

/** The four values a profile provides and `config_overrides` may replace (spec §10.1, §13.2). */
export const PROFILE_SETTING_NAMES = [
  "daily_send_percentage_cap",
  "ed_daily_soft_limit",
  "ed_smoothing_window_days",
  "batch_size"
] as const satisfies ReadonlyArray<SettingName>

/** Settings stored as a column of `organizations` (spec §2.8). */
export const COLUMN_SETTING_NAMES = SETTING_NAMES.filter((name) => SETTINGS[name].column)

/** `--pre-exclusion-buffer-days` */
export const flagName = (name: SettingName): string => name.replaceAll("_", "-")

/** `SCHEDULER_PRE_EXCLUSION_BUFFER_DAYS` */
export const envName = (name: SettingName): string => `SCHEDULER_${name.toUpperCase()}`
