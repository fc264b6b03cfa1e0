/**
 * The settings part of `run --help`, `explain --help` and `preview --help`: one line per setting, grouped by what it
 * is about, with its type, accepted values and default (issue 15). @effect/cli would print six lines per setting.
 */
import {
  envName,
  flagName,
  SETTING_GROUP_TITLES,
  SETTING_NAMES,
  SETTINGS,
  type SettingDefinition,
  type SettingGroup,
  type SettingKind,
  type SettingName
} from "../settings/definitions.js"

/** What a setting's value looks like, in the usage line and the help. */
export const VALUE_NAMES: Readonly<Record<SettingKind, string>> = {
  int: "integer",
  real: "number",
  bool: "true|false",
  text: "text"
}

const shownDefault = (definition: SettingDefinition): string =>
  definition.default === undefined
    ? "from the size profile"
    : definition.default === null
      ? "auto (by contact count)"
      : String(definition.default)

/** "0 to 180", "at least 1", or the accepted values in words. */
export const acceptedValues = (definition: SettingDefinition): string | undefined => {
  if (definition.accepts !== undefined) return definition.accepts
  const range = definition.range
  if (range === undefined) return undefined
  return range.max === undefined ? `at least ${range.min}` : `${range.min} to ${range.max}`
}

/** The one-line description used for the @effect/cli option too (shown when a flag's value is wrong). */
export const settingDescription = (name: SettingName): string => {
  const definition = SETTINGS[name]
  const accepted = acceptedValues(definition)
  return `${definition.description}${accepted === undefined ? "" : `; ${accepted}`} (default: ${shownDefault(definition)}; also ${envName(name)})`
}

const GROUP_ORDER: ReadonlyArray<SettingGroup> = ["dates", "rules", "caps", "priorities"]

export const renderSettingsHelp = (): string => {
  const rows = SETTING_NAMES.map((name) => {
    const definition = SETTINGS[name]
    const accepted = acceptedValues(definition)
    return {
      name,
      group: definition.group,
      flag: `--${flagName(name)} <${VALUE_NAMES[definition.kind]}>`,
      text: `${definition.description}${accepted === undefined ? "" : `; ${accepted}`}; default ${shownDefault(definition)}`
    }
  })
  const width = Math.max(...rows.map((row) => row.flag.length)) + 2
  const sections = GROUP_ORDER.map((group) =>
    [
      `  ${SETTING_GROUP_TITLES[group]}`,
      ...rows.filter((row) => row.group === group).map((row) => `    ${row.flag.padEnd(width)}${row.text}`)
    ].join("\n")
  )
  return [
    "SETTINGS",
    "",
    "  Each setting comes from its flag, else its SCHEDULER_* variable (--birthday-days-before is",
    "  SCHEDULER_BIRTHDAY_DAYS_BEFORE), else the organizations row, else the default. All are optional;",
    "  values are checked before anything is read or written.",
    "",
    sections.join("\n\n"),
    ""
  ].join("\n")
}

const cell = (text: string): string => text.replaceAll("|", "\\|")

/** docs/settings.md: every setting with its flag, variable, database source, type, accepted values and default. */
export const renderSettingsMarkdown = (): string => {
  const sections = GROUP_ORDER.map((group) => {
    const rows = SETTING_NAMES.filter((name) => SETTINGS[name].group === group).map((name) => {
      const definition = SETTINGS[name]
      const source = definition.column ? `\`organizations.${name}\`` : `\`config_overrides.${name}\``
      const accepted = acceptedValues(definition) ?? ""
      return `| \`${name}\` | \`--${flagName(name)}\` | \`${envName(name)}\` | ${source} | ${cell(VALUE_NAMES[definition.kind])} | ${cell(accepted)} | ${cell(shownDefault(definition))} | ${cell(definition.description)} |`
    })
    return [
      `## ${SETTING_GROUP_TITLES[group]}`,
      "",
      "| setting | flag | variable | database | type | accepted | default | meaning |",
      "|---|---|---|---|---|---|---|---|",
      ...rows
    ].join("\n")
  })
  return [
    "# Settings",
    "",
    "<!-- Generated from SettingsSchema (src/settings/definitions.ts) by `npm run settings-doc`; a test keeps it equal. -->",
    "",
    "Each setting comes from its flag, else its variable, else the active `organizations` row with the lowest id (the",
    "four size-profile values: its `config_overrides` JSON object), else the default (docs/business-rules.md §13).",
    "Booleans accept `1/0/true/false`; an empty variable counts as unset. All values are validated together before",
    "anything is read or written, and every problem is reported in one message.",
    "",
    sections.join("\n\n"),
    ""
  ].join("\n")
}
