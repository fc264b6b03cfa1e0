import { Layer } from "effect"
import { RulesEngine } from "../rules/RulesEngine.js"
import { BusinessClock } from "../time/BusinessClock.js"

/**
 * The live services a run requires besides its `Database`: the rules of spec §4 as the organization's settings name
 * them, and the business clock over Effect's Clock. A host or a test provides its own instead (`RulesEngine.withRuleset`,
 * `BusinessClock.fixed`, or the live clock under `TestClock`).
 */
export const RunServicesLive = Layer.mergeAll(RulesEngine.Default, BusinessClock.Default)
