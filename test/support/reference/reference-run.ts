import { Effect } from "effect"
import { Database } from "../../../src/db/Database.js"
import { runMigrations } from "../../../src/db/migrations.js"
import type { IsoDate } from "../../../src/domain/dates.js"
import { campaignSetup } from "../../../src/plan/campaigns.js"
import { planContext } from "../../../src/plan/plan-contact.js"
import { type PlanRecord, sendTime } from "../../../src/plan/records.js"
import { loadParameters } from "../../../src/rules/profiles.js"
import { RulesEngine } from "../../../src/rules/RulesEngine.js"
import { planOrder } from "../../../src/run/checksums.js"
import { balanceParameters, countValidEmails, resolveRunSettings } from "../../../src/run/run.js"
import type { SettingName } from "../../../src/settings/definitions.js"
import { balancePlan } from "./apply-balance.js"
import { loadAndPlan } from "./load-plan.js"

/**
 * The straightforward pipeline the optimised run replaced (issue 6): every contact planned once, the whole plan kept
 * as records in memory, balanced with object items and string-free keys, nothing written. The plan it returns is what
 * the optimised two-pass run must store, row for row.
 */
export const referencePlan = (asOf: IsoDate, flags: Partial<Record<SettingName, string>>) =>
  Effect.gen(function* () {
    const db = yield* Database
    const resolved = yield* resolveRunSettings(flags)
    yield* runMigrations
    const types = yield* db.campaignTypes
    const instances = yield* db.campaignInstances
    const profile = loadParameters(resolved.settings, yield* countValidEmails(db))
    const campaigns = campaignSetup(types.rows, instances.rows, asOf)
    const rules = (yield* RulesEngine).rulesFor(resolved)
    return yield* Effect.gen(function* () {
      const planned = yield* loadAndPlan({
        db,
        context: planContext(rules, asOf, campaigns),
        batchSize: profile.batchSize,
        time: sendTime(resolved.settings.send_time_hour, resolved.settings.send_time_minute),
        onProgress: () => undefined
      })
      const { moved } = balancePlan(
        planned.records,
        planned.balanceInput,
        balanceParameters(profile, asOf),
        rules.exclusion
      )
      const records: ReadonlyArray<PlanRecord> = [...planned.records].sort(planOrder)
      return { records, moved }
    })
  })
