import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Option } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { Database } from "../../src/db/Database.js"
import { addDays, toDayNumber } from "../../src/domain/dates.js"
import { campaignSetup, planContext } from "../../src/plan/index.js"
import { RulesEngine } from "../../src/rules/RulesEngine.js"
import { type BatchPlan, planBatch } from "../../src/run/plan-batch.js"
import { resolveRunSettings, runOnce } from "../../src/run/run.js"
import { ByteWriter, pageStager } from "../../src/run/staging.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"
import { sendDue } from "../support/sender.js"

const dir = useTempDir("plan-reuse-staging")
const FIRST_DAY = "2026-11-29"
/** Statuses and a type no record string codes: they are written out in the records. */
const ODD_STATUS = "bounced – später"
const ODD_TYPE = "legacy_mailer"

const night = (path: string, asOf: string) =>
  runOnce({
    asOf: Option.some(asOf),
    dryRun: false,
    flags: { batch_size: "500" },
    runId: `run_${asOf.replaceAll("-", "")}T000000Z_00000000`
  }).pipe(Effect.provide(runnableFile(path)))

/** Pass 1 of one batch over every contact, its staged bytes kept in memory. */
const planEveryone = (path: string, asOf: string, reuse: boolean) =>
  Effect.gen(function* () {
    const db = yield* Database
    const resolved = yield* resolveRunSettings({ batch_size: "500" })
    const rules = (yield* RulesEngine).rulesFor(resolved)
    const types = yield* db.campaignTypes
    const instances = yield* db.campaignInstances
    const context = planContext(
      rules,
      asOf,
      campaignSetup(types.rows, instances.rows, asOf, { types: types.malformed, instances: instances.malformed })
    )
    const staged: Array<Uint8Array> = []
    let offset = 0
    const stager = pageStager(new ByteWriter(), (bytes) =>
      Effect.sync(() => {
        staged.push(Uint8Array.from(bytes))
        const extent = { file: 0 as const, offset, length: bytes.length }
        offset += bytes.length
        return extent
      })
    )
    const plan = yield* planBatch(db, { firstId: 1, lastId: 1_000_000, index: 0 }, context, "08:30:00", stager, reuse)
    return { plan, staged: Buffer.concat(staged) }
  }).pipe(Effect.provide(runnableFile(path)))

/** Everything a batch plan hands on, but what concerns the records themselves. */
const handedOn = ({ reused: _, staleRecords: __, reuseRecords: ___, ...rest }: BatchPlan) => rest

const sql = (path: string, statement: string, ...values: Array<string | number>): unknown => {
  const db = new BetterSqlite3(path)
  try {
    const prepared = db.prepare(statement)
    return prepared.reader ? prepared.pluck().get(...values) : prepared.run(...values).changes
  } finally {
    db.close()
  }
}

describe("plan reuse (issue 11): a contact staged from its record, its stored rows unread", () => {
  it.effect(
    "stages exactly the bytes, balance columns, keys, counts and checksum lines that planning it stages",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "staging.sqlite", 1200, 5, FIRST_DAY)
        for (let day = 0; day < 3; day++) {
          const today = addDays(FIRST_DAY, day)
          yield* night(path, today)
          sendDue(path, today)
          if (day === 0) {
            // Handled rows whose status and type no record string codes, as another sender might write them.
            const odd = sql(
              path,
              `UPDATE email_schedules SET status = ?, email_type = CASE WHEN id % 2 = 0 THEN ? ELSE email_type END
                WHERE id IN (SELECT id FROM email_schedules WHERE status = 'sent' ORDER BY id LIMIT 60)`,
              ODD_STATUS,
              ODD_TYPE
            )
            assert.strictEqual(odd, 60)
          }
        }
        const today = addDays(FIRST_DAY, 3)
        const day = toDayNumber(today)
        const holding = Number(
          sql(
            path,
            `SELECT count(*) FROM email_scheduler_plan_reuse WHERE made_on <= ? AND holds_until > ?
              AND contact_id NOT IN (SELECT contact_id FROM email_scheduler_changed_contacts)`,
            day,
            day
          )
        )
        const holdingWithOddRows = Number(
          sql(
            path,
            `SELECT count(DISTINCT r.contact_id) FROM email_scheduler_plan_reuse AS r
              JOIN email_schedules AS e ON e.contact_id = r.contact_id AND e.status = ?
              WHERE r.made_on <= ? AND r.holds_until > ?
                AND r.contact_id NOT IN (SELECT contact_id FROM email_scheduler_changed_contacts)`,
            ODD_STATUS,
            day,
            day
          )
        )
        const fromRecords = yield* planEveryone(path, today, true)
        const planned = yield* planEveryone(path, today, false)

        assert.isAbove(holding, 400, "a good part of the contacts' records hold on the fourth night")
        assert.isAbove(holdingWithOddRows, 5, "records with strings written out hold")
        assert.strictEqual(fromRecords.plan.reused, holding, "every record that holds is read and used")
        assert.strictEqual(planned.plan.reused, 0)
        assert.deepStrictEqual(handedOn(fromRecords.plan), handedOn(planned.plan))
        assert.isTrue(fromRecords.staged.equals(planned.staged), "the staged bytes")
      }),
    { timeout: 120_000 }
  )
})
