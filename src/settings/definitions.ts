/**
 * Every organization setting of spec §13.2, described once (`SettingsSchema`). Flags, environment variables, database
 * columns, defaults, ranges, help and the run report are all derived from it.
 */
import { Option, Record, Schema, SchemaAST } from "effect"
import { RULESET_NAMES } from "../rules/rulesets.js"

export type SettingKind = "int" | "bool" | "real" | "text"

/** How `--help` groups the settings: by what they are about. */
export type SettingGroup = "dates" | "rules" | "caps" | "priorities"

export const SETTING_GROUP_TITLES: Readonly<Record<SettingGroup, string>> = {
  dates: "Email dates and times",
  rules: "Rules and who gets what",
  caps: "Frequency, daily cap and balancing",
  priorities: "Priorities (lower is more important)"
}

/** The accepted values of a number setting, both ends included; checked on resolution (spec §13.3) and shown in help. */
export interface SettingRange {
  readonly min: number
  readonly max?: number
}

export interface SettingDefinition {
  readonly kind: SettingKind
  /** undefined: the value comes from the size profile (spec §10.1) unless overridden. */
  readonly default: number | boolean | string | null | undefined
  /** false for the four profile values: their database source is the `config_overrides` JSON object. */
  readonly column: boolean
  readonly description: string
  readonly group: SettingGroup
  readonly range?: SettingRange
  /** Accepted values when they are not a plain range (help text only; `resolve.ts` checks them). */
  readonly accepts?: string
}

/** Where each field of `SettingsSchema` keeps its definition (an annotation of the field's schema). */
export const SettingDefinitionId: unique symbol = Symbol.for("email-scheduler/SettingDefinition")

/** The field's value schema with the whole definition as annotations. */
const field = <A>(schema: Schema.Schema<A>, definition: SettingDefinition): Schema.Schema<A> =>
  schema.annotations({ description: definition.description, [SettingDefinitionId]: definition })

/** A number setting: its range as the schema's filters too. */
const numberField = (schema: Schema.Schema<number>, definition: SettingDefinition): Schema.Schema<number> => {
  const { range } = definition
  const ranged =
    range === undefined
      ? schema
      : schema.pipe(Schema.greaterThanOrEqualTo(range.min), Schema.lessThanOrEqualTo(range.max ?? Number.MAX_VALUE))
  return field(ranged, definition)
}

const definition = (
  kind: SettingKind,
  group: SettingGroup,
  value: number | boolean | undefined,
  description: string,
  range?: SettingRange,
  accepts?: string
): SettingDefinition => ({
  kind,
  default: value,
  column: value !== undefined,
  description,
  group,
  ...(range === undefined ? {} : { range }),
  ...(accepts === undefined ? {} : { accepts })
})

const int = (group: SettingGroup, value: number, description: string, range?: SettingRange) =>
  numberField(Schema.Int, definition("int", group, value, description, range))
const real = (group: SettingGroup, value: number, description: string, range?: SettingRange) =>
  numberField(Schema.Number, definition("real", group, value, description, range))
const bool = (group: SettingGroup, value: boolean, description: string) =>
  field(Schema.Boolean, definition("bool", group, value, description))
/** One of the four values a size profile provides (spec §10.1): no default of its own, no column. */
const fromProfile = (kind: "int" | "real", description: string, range?: SettingRange, accepts?: string) =>
  numberField(
    kind === "int" ? Schema.Int : Schema.Number,
    definition(kind, "caps", undefined, description, range, accepts)
  )
const days = (max: number, min = 0): SettingRange => ({ min, max })
const PRIORITY: SettingRange = { min: 0, max: 1000 }

/**
 * Every organization setting of spec §13.2 as one Schema: each field is the setting's value (as a flag, a variable
 * or a column gives it, once parsed), its range, and its definition (kind, default, column, group, help) in an
 * annotation. Flags, environment names, columns, defaults, ranges, `--help` and docs/settings.md derive from it.
 */
export const SettingsSchema = Schema.Struct({
  timezone: field(Schema.String, {
    kind: "text",
    default: "America/Chicago",
    column: true,
    description: "IANA zone that defines today",
    group: "dates",
    accepts: "an IANA zone name"
  }),
  ruleset: field(Schema.Literal(...RULESET_NAMES), {
    kind: "text",
    default: "baseline",
    column: true,
    description: "state rules in force",
    group: "rules",
    accepts: "baseline | statutes-2026"
  }),
  pre_exclusion_buffer_days: int("rules", 60, "days added before every window start", days(180)),
  birthday_days_before: int("dates", 14, "birthday email = anniversary - this", days(180)),
  effective_date_days_before: int("dates", 30, "effective-date email = anniversary - this", days(180)),
  effective_date_first_email_months: int("dates", 11, "minimum whole months since the effective date", days(120)),
  aep_enabled: bool("dates", true, "send the Annual Enrollment Period email"),
  aep_month: int("dates", 9, "month of the AEP email", { min: 1, max: 12 }),
  aep_day: int("dates", 15, "day of the AEP email (a date every year has)", { min: 1, max: 31 }),
  enable_post_window_emails: bool("rules", true, "send an email after each exclusion window"),
  exclude_failed_underwriting_global: bool("rules", false, "contacts that failed underwriting get AEP emails only"),
  send_without_zipcode_for_universal: bool("rules", true, "contacts with no state may receive universal campaigns"),
  max_emails_per_period: int("caps", 3, "frequency limit: emails per period", { min: 1 }),
  frequency_period_days: int("caps", 30, "frequency limit: period length in days", days(365, 1)),
  catch_up_spread_days: int("dates", 7, "days over which late emails are spread", days(60, 1)),
  followup_lookback_days: int("dates", 35, "how far back sent emails get follow-ups", days(365)),
  followup_delay_days: int("dates", 2, "days between an email and its follow-up", days(60)),
  send_time_hour: int("dates", 8, "hour of scheduled_send_time (organization-local)", { min: 0, max: 23 }),
  send_time_minute: int("dates", 30, "minute of scheduled_send_time", { min: 0, max: 59 }),
  size_profile: field(Schema.NullOr(Schema.Literal("small", "medium", "large", "enterprise", "auto")), {
    kind: "text",
    default: null,
    column: true,
    description: "defaults of the four settings below",
    group: "caps",
    accepts: "small | medium | large | enterprise | auto"
  }),
  daily_send_percentage_cap: fromProfile(
    "real",
    "daily cap: > 1 is a percentage, (0, 1] a fraction",
    undefined,
    "above 0, at most 100 %"
  ),
  ed_daily_soft_limit: fromProfile("int", "effective-date emails per day before smoothing", { min: 1 }),
  ed_smoothing_window_days: fromProfile("int", "effective-date smoothing window in days", days(31, 1)),
  batch_size: fromProfile("int", "contacts per write transaction", { min: 1, max: 1_000_000 }),
  overage_threshold: real("caps", 1.2, "daily cap tolerance, two decimals", { min: 1 }),
  ed_share_of_daily_cap: real("caps", 0.3, "effective-date soft limit as a share of the daily cap, two decimals", {
    min: 0,
    max: 1
  }),
  birthday_priority: int("priorities", 10, "priority of birthday emails", PRIORITY),
  effective_date_priority: int("priorities", 20, "priority of effective-date emails", PRIORITY),
  aep_priority: int("priorities", 30, "priority of AEP emails", PRIORITY),
  post_window_priority: int("priorities", 40, "priority of post-window emails", PRIORITY)
})

/** The definition a field of `SettingsSchema` carries. */
const definitionOf = (schema: Schema.Schema.Any): SettingDefinition =>
  Option.getOrThrowWith(
    SchemaAST.getAnnotation<SettingDefinition>(SettingDefinitionId)(schema.ast),
    () => new Error("a settings field without its definition")
  )

export const SETTINGS: { readonly [Name in keyof typeof SettingsSchema.fields]: SettingDefinition } = Record.map(
  SettingsSchema.fields,
  definitionOf
)

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
