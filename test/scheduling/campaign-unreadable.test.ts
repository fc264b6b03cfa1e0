import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("campaign-unreadable")
const AS_OF = "2026-11-29"

const run = (path: string) =>
  runOnce({ asOf: Option.some(AS_OF), dryRun: false, flags: {} }).pipe(Effect.provide(runnableFile(path)))

const CampaignRows = Schema.Struct({ id: Schema.Int, contact_id: Schema.Int, scheduled_send_date: Schema.String })
const rowsOf = (path: string, instance: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`SELECT id, contact_id, scheduled_send_date FROM email_schedules WHERE campaign_instance_id = ${instance}
        ORDER BY id`.pipe(Effect.flatMap(Schema.decodeUnknown(Schema.Array(CampaignRows))))
  ).pipe(Effect.provide(runnableFile(path)), Effect.orDie)

const exec = (path: string, text: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(text)).pipe(Effect.provide(runnableFile(path)), Effect.orDie)

const Instance = Schema.Struct({ id: Schema.Int, campaign_type: Schema.String })
/** The campaign instance with the most planned rows, and its type. */
const busiestInstance = (path: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`SELECT i.id, i.campaign_type FROM campaign_instances i
        JOIN email_schedules e ON e.campaign_instance_id = i.id
        GROUP BY i.id ORDER BY count(*) DESC LIMIT 1`.pipe(Effect.flatMap(Schema.decodeUnknown(Schema.Array(Instance))))
  ).pipe(
    Effect.provide(runnableFile(path)),
    Effect.orDie,
    Effect.map((rows) => rows[0]!)
  )

/** A generated organization after one run, with its busiest campaign instance and that instance's stored rows. */
const plannedCampaign = (name: string) =>
  Effect.gen(function* () {
    const path = yield* generatedCopy(dir, name, 2000, 5, AS_OF)
    yield* run(path)
    const instance = yield* busiestInstance(path)
    return { path, instance, before: yield* rowsOf(path, instance.id) }
  })

describe("an unreadable campaign row loses nothing (issue 15)", () => {
  it.effect("a campaign_instances row with a BLOB date is reported with table, id and column; its rows stay", () =>
    Effect.gen(function* () {
      const { path, instance, before } = yield* plannedCampaign("instance.sqlite")
      assert.isAbove(before.length, 0, "the campaign has planned rows")
      yield* exec(path, `UPDATE campaign_instances SET active_start_date = X'00FF10' WHERE id = ${instance.id}`)
      const report = yield* run(path)
      assert.deepStrictEqual(yield* rowsOf(path, instance.id), before, "every row of the campaign is kept as it was")
      const warning = report.warnings.find((w) => w.startsWith(`campaign_instances row ${instance.id} is malformed`))
      assert.isDefined(warning, report.warnings.join("\n"))
      assert.include(warning, "active_start_date")
      assert.include(warning, "left untouched")
    })
  )

  it.effect("a campaign_types row that cannot be read keeps the rows of its instances, not 'unknown type'", () =>
    Effect.gen(function* () {
      const { path, instance, before } = yield* plannedCampaign("type.sqlite")
      yield* exec(path, `UPDATE campaign_types SET priority = 'high' WHERE name = '${instance.campaign_type}'`)
      const report = yield* run(path)
      assert.deepStrictEqual(yield* rowsOf(path, instance.id), before)
      assert.isTrue(report.warnings.some((w) => w.startsWith("campaign_types row") && w.includes("priority")))
      assert.isFalse(report.warnings.some((w) => w.includes("unknown campaign type")))
    })
  )
})
