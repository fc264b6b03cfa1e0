import { Context, Layer } from "effect"
import type { IsoDate } from "../domain/dates.js"
import type { ResolvedSettings } from "../settings/resolve.js"
import type { Settings } from "../settings/settings.js"
import { RULESETS, type Ruleset } from "./rulesets.js"
import { type ExclusionContext, type ExclusionHit, exclusionAt, type WindowSubject } from "./windows.js"

/** The organization's rules: its chosen ruleset and buffers bound to the pure functions of spec §4. */
export interface Rules {
  readonly ruleset: Ruleset
  readonly settings: Settings
  readonly exclusion: ExclusionContext
  readonly exclusionAt: (subject: WindowSubject, date: IsoDate) => ExclusionHit | undefined
}

export const makeRules = (resolved: Pick<ResolvedSettings, "settings" | "stateBuffers">): Rules => {
  const exclusion: ExclusionContext = {
    ruleset: RULESETS[resolved.settings.ruleset],
    defaultBuffer: resolved.settings.pre_exclusion_buffer_days,
    stateBuffers: resolved.stateBuffers
  }
  return {
    ruleset: exclusion.ruleset,
    settings: resolved.settings,
    exclusion,
    exclusionAt: (subject, date) => exclusionAt(exclusion, subject, date)
  }
}

/**
 * The RulesEngine service. It is built from the organization's resolved settings, which are known only once a run
 * has read them, so a run provides it with `RulesEngine.fromSettings`.
 */
export class RulesEngine extends Context.Tag("email-scheduler/RulesEngine")<RulesEngine, Rules>() {
  static readonly fromSettings = (resolved: Pick<ResolvedSettings, "settings" | "stateBuffers">) =>
    Layer.succeed(RulesEngine, makeRules(resolved))
}
