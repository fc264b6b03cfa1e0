import { Effect, Layer } from "effect"
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

type RuleSettings = Pick<ResolvedSettings, "settings" | "stateBuffers">

/** The rules of resolved settings; `ruleset` replaces the one the settings name (a host's or a test's own). */
export const makeRules = (resolved: RuleSettings, ruleset: Ruleset = RULESETS[resolved.settings.ruleset]): Rules => {
  const exclusion: ExclusionContext = {
    ruleset,
    defaultBuffer: resolved.settings.pre_exclusion_buffer_days,
    stateBuffers: resolved.stateBuffers
  }
  return {
    ruleset,
    settings: resolved.settings,
    exclusion,
    exclusionAt: (subject, date) => exclusionAt(exclusion, subject, date)
  }
}

/**
 * The RulesEngine service: the exclusion rules of an organization, given its resolved settings (known only once a
 * run has read them). The live engine uses the ruleset the settings name (spec §4); a host application or a test
 * provides its own with `RulesEngine.withRuleset` or `Layer.succeed(RulesEngine, RulesEngine.make({ rulesFor }))`.
 */
export class RulesEngine extends Effect.Service<RulesEngine>()("email-scheduler/RulesEngine", {
  succeed: { rulesFor: (resolved: RuleSettings): Rules => makeRules(resolved) }
}) {
  /** Every organization gets `ruleset`, whatever its `ruleset` setting says. */
  static readonly withRuleset = (ruleset: Ruleset) =>
    Layer.succeed(RulesEngine, RulesEngine.make({ rulesFor: (resolved) => makeRules(resolved, ruleset) }))
}
