import { Config, Effect, Option } from "effect"
import { envName, SETTING_NAMES, type SettingName } from "./definitions.js"

/**
 * The `SCHEDULER_<NAME>` variables (spec §13.1), read through Effect's Config so a host application can supply its
 * own ConfigProvider. Unset variables are absent from the result.
 */
export const settingsFromEnvironment: Effect.Effect<Partial<Record<SettingName, string>>> = Effect.gen(function* () {
  const values: Partial<Record<SettingName, string>> = {}
  for (const name of SETTING_NAMES) {
    const value = yield* Config.option(Config.string(envName(name))).pipe(Effect.orElseSucceed(() => Option.none()))
    if (Option.isSome(value)) values[name] = value.value
  }
  return values
})
