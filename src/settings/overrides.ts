import { Schema } from "effect"
import { SETTING_NAMES, type SettingName } from "./definitions.js"

const [firstName, ...otherNames] = SETTING_NAMES

/**
 * The settings a caller may override for one run, as text (spec §13.1: they take a flag's place, the highest
 * precedence, and are checked like flags): what `runOnce` takes as `flags`. A host decodes its own configuration with
 * it; unknown names are refused when decoded with `onExcessProperty: "error"`.
 */
export const SettingOverrides: Schema.Schema<Partial<Record<SettingName, string>>> = Schema.partialWith(
  Schema.Record({ key: Schema.Literal(firstName ?? "timezone", ...otherNames), value: Schema.String }),
  { exact: true }
)
