import { DateTime, Either, Option } from "effect"
import { isValidCalendarDate } from "../domain/dates.js"
import { isRulesetName, RULESETS, type StateRule } from "../rules/rulesets.js"
import { envName, flagName, PROFILE_SETTING_NAMES, SETTING_NAMES, SETTINGS, type SettingName } from "./definitions.js"
import { parseOverrideValue, parseSettingColumn, parseSettingText, type SettingValue } from "./parse.js"
import { isSizeProfileName, type SettingSource, type Settings, SettingsInvalid } from "./settings.js"

export interface StateBuffer {
  readonly state: string
  readonly days: number
}

/** Everything a setting can come from, highest precedence first (spec §13.1). */
export interface SettingsSources {
  readonly flags: Partial<Record<SettingName, string>>
  readonly env: Partial<Record<SettingName, string>>
  /** The active organization row with the lowest id, column name → stored value; undefined when there is none. */
  readonly organization: Readonly<Record<string, unknown>> | undefined
  readonly stateBuffers: ReadonlyArray<StateBuffer>
  /** Problems found while reading the sources (e.g. malformed state-buffer rows). */
  readonly readProblems?: ReadonlyArray<string>
}

export interface ResolvedSettings {
  readonly settings: Settings
  readonly sources: Readonly<Record<SettingName, SettingSource>>
  /** State → pre-window buffer days, from `organization_state_buffers` (spec §4.5). */
  readonly stateBuffers: Readonly<Record<string, number>>
  readonly warnings: ReadonlyArray<string>
  readonly organizationRowMissing: boolean
  /** Settings whose value is not the default (or, for profile values, that override the profile). */
  readonly changed: ReadonlyArray<{
    readonly name: SettingName
    readonly value: SettingValue
    readonly source: SettingSource
  }>
}

interface Picked {
  readonly value: SettingValue | null | undefined
  readonly source: SettingSource
}

/** Flag > environment variable > `organizations` column (or `config_overrides`) > default; all problems at once. */
export const resolveSettings = (sources: SettingsSources): Either.Either<ResolvedSettings, SettingsInvalid> => {
  const problems: Array<string> = [...(sources.readProblems ?? [])]
  const warnings: Array<string> = []
  const overrides = readOverrides(sources.organization?.config_overrides, warnings)

  const pick = (name: SettingName): Picked => {
    const definition = SETTINGS[name]
    const fromText = (raw: string, where: string, source: SettingSource): Picked => {
      const parsed = parseSettingText(definition.kind, raw)
      if (Either.isLeft(parsed)) problems.push(`${name} from ${where}: ${parsed.left}`)
      return { value: Either.getOrUndefined(parsed), source }
    }
    const flag = sources.flags[name]
    if (flag !== undefined) return fromText(flag, `--${flagName(name)}`, "flag")
    const env = sources.env[name]
    if (env !== undefined && env.trim() !== "") return fromText(env, envName(name), "env")
    if (definition.column) {
      const stored = sources.organization?.[name]
      if (stored !== null && stored !== undefined) {
        const parsed = parseSettingColumn(definition.kind, stored)
        if (Either.isLeft(parsed)) problems.push(`${name} from organizations.${name}: ${parsed.left}`)
        return { value: Either.getOrUndefined(parsed), source: "organization" }
      }
    } else {
      const override = overrides.get(name)
      if (override !== undefined) return { value: override, source: "config_overrides" }
    }
    return { value: definition.default, source: definition.default === undefined ? "profile" : "default" }
  }

  const picked = Object.fromEntries(SETTING_NAMES.map((name) => [name, pick(name)])) as Record<SettingName, Picked>
  const sourcesByName = Object.fromEntries(SETTING_NAMES.map((name) => [name, picked[name].source])) as Record<
    SettingName,
    SettingSource
  >
  const number = (name: SettingName): number => {
    const value = picked[name].value
    return typeof value === "number" ? value : Number(SETTINGS[name].default)
  }
  const optionalNumber = (name: SettingName): number | undefined => {
    const value = picked[name].value
    return typeof value === "number" ? value : undefined
  }
  const flag = (name: SettingName): boolean => {
    const value = picked[name].value
    return typeof value === "boolean" ? value : Boolean(SETTINGS[name].default)
  }
  const text = (name: SettingName): string => {
    const value = picked[name].value
    return typeof value === "string" ? value : String(SETTINGS[name].default)
  }

  const rulesetName = text("ruleset")
  const ruleset = isRulesetName(rulesetName) ? rulesetName : "baseline"
  const sizeProfile = readSizeProfile(picked.size_profile.value, problems)
  const dailyCap = optionalNumber("daily_send_percentage_cap")

  const settings: Settings = {
    timezone: text("timezone"),
    ruleset,
    pre_exclusion_buffer_days: number("pre_exclusion_buffer_days"),
    birthday_days_before: number("birthday_days_before"),
    effective_date_days_before: number("effective_date_days_before"),
    effective_date_first_email_months: number("effective_date_first_email_months"),
    aep_enabled: flag("aep_enabled"),
    aep_month: number("aep_month"),
    aep_day: number("aep_day"),
    enable_post_window_emails: flag("enable_post_window_emails"),
    exclude_failed_underwriting_global: flag("exclude_failed_underwriting_global"),
    send_without_zipcode_for_universal: flag("send_without_zipcode_for_universal"),
    max_emails_per_period: number("max_emails_per_period"),
    frequency_period_days: number("frequency_period_days"),
    catch_up_spread_days: number("catch_up_spread_days"),
    followup_lookback_days: number("followup_lookback_days"),
    followup_delay_days: number("followup_delay_days"),
    send_time_hour: number("send_time_hour"),
    send_time_minute: number("send_time_minute"),
    size_profile: sizeProfile,
    daily_cap_basis_points: dailyCap === undefined ? undefined : capBasisPoints(dailyCap),
    ed_daily_soft_limit: optionalNumber("ed_daily_soft_limit"),
    ed_smoothing_window_days: optionalNumber("ed_smoothing_window_days"),
    batch_size: optionalNumber("batch_size"),
    overage_threshold_hundredths: Math.round(number("overage_threshold") * 100),
    ed_share_of_daily_cap_hundredths: Math.round(number("ed_share_of_daily_cap") * 100),
    birthday_priority: number("birthday_priority"),
    effective_date_priority: number("effective_date_priority"),
    aep_priority: number("aep_priority"),
    post_window_priority: number("post_window_priority")
  }

  const stateBuffers: Record<string, number> = {}
  for (const buffer of sources.stateBuffers) stateBuffers[buffer.state] = buffer.days

  if (!isRulesetName(rulesetName)) {
    problems.push(`ruleset must be one of ${Object.keys(RULESETS).join(", ")} (got "${rulesetName}")`)
  }
  problems.push(...validateSettings(settings, stateBuffers, dailyCap))

  return problems.length > 0
    ? Either.left(new SettingsInvalid({ problems }))
    : Either.right({
        settings,
        sources: sourcesByName,
        stateBuffers,
        warnings,
        organizationRowMissing: sources.organization === undefined,
        changed: SETTING_NAMES.flatMap((name) => {
          const { value, source } = picked[name]
          return value === null || value === undefined || value === SETTINGS[name].default
            ? []
            : [{ name, value, source }]
        })
      })
}

/** A cap value > 1 is a percentage (3 = 3 %), a value in (0, 1] a fraction (spec §13.2); kept in basis points. */
export const capBasisPoints = (value: number): number =>
  value > 1 ? Math.round(value * 100) : Math.round(value * 10000)

const readSizeProfile = (value: SettingValue | null | undefined, problems: Array<string>) => {
  if (typeof value !== "string") return undefined
  const name = value.toLowerCase()
  if (name === "auto") return undefined
  if (isSizeProfileName(name)) return name
  problems.push(`size_profile must be one of auto, small, medium, large, enterprise (got "${value}")`)
  return undefined
}

/** `config_overrides`: unknown keys and wrong types are ignored with a warning; invalid JSON means no overrides. */
const readOverrides = (raw: unknown, warnings: Array<string>): ReadonlyMap<SettingName, SettingValue> => {
  const result = new Map<SettingName, SettingValue>()
  if (raw === null || raw === undefined || (typeof raw === "string" && raw.trim() === "")) return result
  let parsed: unknown
  try {
    parsed = typeof raw === "string" ? JSON.parse(raw) : undefined
  } catch {
    parsed = undefined
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    warnings.push("organizations.config_overrides is not a JSON object; no overrides are used")
    return result
  }
  for (const [key, value] of Object.entries(parsed)) {
    const name = PROFILE_SETTING_NAMES.find((candidate) => candidate === key)
    if (name === undefined) {
      warnings.push(`config_overrides key "${key}" is not a profile setting and is ignored`)
      continue
    }
    Either.match(parseOverrideValue(SETTINGS[name].kind, value), {
      onLeft: (problem) => warnings.push(`config_overrides.${key}: ${problem}; ignored`),
      onRight: (accepted) => result.set(name, accepted)
    })
  }
  return result
}

const inRange = (problems: Array<string>, name: string, value: number, min: number, max: number) => {
  if (!(value >= min && value <= max)) problems.push(`${name} must be between ${min} and ${max} (got ${value})`)
}
const atLeast = (problems: Array<string>, name: string, value: number, min: number) => {
  if (!(value >= min)) problems.push(`${name} must be at least ${min} (got ${value})`)
}
/** The setting's own range from its definition (the one `--help` shows). */
const withinDefinedRange = (problems: Array<string>, name: SettingName, value: number | undefined) => {
  const range = SETTINGS[name].range
  if (value === undefined || range === undefined) return
  if (range.max === undefined) atLeast(problems, name, value, range.min)
  else inRange(problems, name, value, range.min, range.max)
}

/** Number settings checked against their defined range alone; the others have rules of their own below. */
const RANGED_SETTINGS = [
  "birthday_days_before",
  "effective_date_days_before",
  "effective_date_first_email_months",
  "max_emails_per_period",
  "frequency_period_days",
  "catch_up_spread_days",
  "followup_lookback_days",
  "followup_delay_days",
  "send_time_hour",
  "send_time_minute",
  "ed_daily_soft_limit",
  "ed_smoothing_window_days",
  "batch_size",
  "birthday_priority",
  "effective_date_priority",
  "aep_priority",
  "post_window_priority"
] as const satisfies ReadonlyArray<SettingName & keyof Settings>

const isRanged = (name: SettingName): name is (typeof RANGED_SETTINGS)[number] =>
  RANGED_SETTINGS.some((ranged) => ranged === name)

/** Spec §13.3; problems in the order of the settings table. */
const validateSettings = (
  settings: Settings,
  stateBuffers: Readonly<Record<string, number>>,
  dailyCap: number | undefined
): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const buffer = SETTINGS.pre_exclusion_buffer_days.range ?? { min: 0, max: 180 }
  const checks: Partial<Record<SettingName, () => void>> = {
    timezone: () => {
      if (Option.isNone(DateTime.zoneMakeNamed(settings.timezone))) {
        problems.push(`timezone must be an IANA time zone name such as America/Chicago (got "${settings.timezone}")`)
      }
    },
    pre_exclusion_buffer_days: () => {
      withinDefinedRange(problems, "pre_exclusion_buffer_days", settings.pre_exclusion_buffer_days)
      for (const [state, days] of Object.entries(stateBuffers)) {
        if (!/^[A-Z]{2}$/.test(state))
          problems.push(`organization_state_buffers.state must be two capital letters (got "${state}")`)
        inRange(problems, `organization_state_buffers days for ${state}`, days, buffer.min, buffer.max ?? 180)
      }
    },
    // 2025 is not a leap year, so Feb 29 is rejected as the spec requires.
    aep_day: () => {
      if (!isValidCalendarDate(2025, settings.aep_month, settings.aep_day)) {
        problems.push(
          `aep_month and aep_day must form a date that exists in every year (got month ${settings.aep_month}, day ${settings.aep_day})`
        )
      }
    },
    daily_send_percentage_cap: () => {
      if (dailyCap === undefined || settings.daily_cap_basis_points === undefined) return
      if (!(dailyCap > 0 && settings.daily_cap_basis_points > 0 && settings.daily_cap_basis_points <= 10000)) {
        problems.push(`daily_send_percentage_cap must be above 0 and at most 100 % (got ${dailyCap})`)
      }
    },
    overage_threshold: () => {
      if (settings.overage_threshold_hundredths < 100) {
        problems.push(`overage_threshold must be at least 1.00 (got ${settings.overage_threshold_hundredths / 100})`)
      }
    },
    ed_share_of_daily_cap: () =>
      inRange(problems, "ed_share_of_daily_cap", settings.ed_share_of_daily_cap_hundredths / 100, 0, 1)
  }
  for (const name of SETTING_NAMES) {
    const check = checks[name]
    if (check !== undefined) check()
    // One batch is one write transaction held in memory: batch_size's maximum (a million contacts) is far past useful.
    else if (isRanged(name)) withinDefinedRange(problems, name, settings[name])
  }
  problems.push(
    ...windowSpanProblems(RULESETS[settings.ruleset].rules, stateBuffers, settings.pre_exclusion_buffer_days)
  )
  return problems
}

/**
 * Spec §13.3: for every rule and its applicable buffer, days_before + buffer + days_after ≤ 364, so at most one anchor
 * year of a rule can contain a date (spec §4.6).
 */
export const windowSpanProblems = (
  rules: ReadonlyArray<StateRule>,
  stateBuffers: Readonly<Record<string, number>>,
  defaultBuffer: number
): ReadonlyArray<string> =>
  rules.flatMap((rule) => {
    if (rule.kind === "year_round") return []
    const buffer = stateBuffers[rule.state] ?? defaultBuffer
    const total = rule.daysBefore + buffer + rule.daysAfter
    return total <= 364
      ? []
      : [
          `rule ${rule.id} with a buffer of ${buffer} days makes a ${total}-day window; days_before + buffer + days_after must be at most 364`
        ]
  })
