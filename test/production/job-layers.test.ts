import { join } from "node:path"
import { NodeFileSystem } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Context, Duration, Effect, Layer, Option, Schema, TestClock } from "effect"
import { sqliteFile } from "../../src/app/sqlite.js"
import { JobConfig, type ProductionConfig } from "../../src/production/config.js"
import { productionJob } from "../../src/production/job.js"
import { StorageSync } from "../../src/production/StorageSync.js"
import { RulesEngine } from "../../src/rules/RulesEngine.js"
import type { Ruleset } from "../../src/rules/rulesets.js"
import { RunServicesLive } from "../../src/run/index.js"
import { ObjectStore } from "../../src/storage/ObjectStore.js"
import { BusinessClock } from "../../src/time/BusinessClock.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("job-layers")
const KEY = "org-data/acme.db"

const config = (name: string): ProductionConfig => ({
  orgId: "acme",
  storage: { _tag: "dir", directory: "unused: the test provides the store" },
  syncMode: "api",
  mount: { point: "", command: "", unmountCommand: "" },
  dataDir: join(dir, `data-${name}`),
  objectKey: KEY,
  asOf: Option.none(),
  init: false,
  force: false,
  jobTimeout: Duration.minutes(10),
  fleetReportKey: Option.none()
})

/** The job's services, test layers only: a fixed config, a directory store in a scoped temporary directory. */
const testServices = <E>(name: string, runServices: Layer.Layer<RulesEngine | BusinessClock, E>) =>
  StorageSync.inTemporaryDirectory.pipe(
    Layer.provideMerge(Layer.mergeAll(Layer.succeed(JobConfig, config(name)), runServices, NodeFileSystem.layer))
  )

const Checkpoint = Schema.Struct({ as_of_date: Schema.String, ruleset: Schema.String, status: Schema.String })
const Counts = Schema.Struct({ rows: Schema.Int, windowSkips: Schema.Int })

/** What the pushed database holds: its newest checkpoint and its plan's size, read from a download of the store. */
const pushedResult = (store: typeof ObjectStore.Service, name: string) =>
  Effect.gen(function* () {
    const copy = join(dir, `${name}-pushed.sqlite`)
    const { version } = yield* store.download(KEY, copy)
    return yield* Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const [checkpoint] = yield* sql`SELECT as_of_date, ruleset, status FROM scheduler_checkpoints
        ORDER BY id DESC LIMIT 1`.pipe(Effect.flatMap(Schema.decodeUnknown(Schema.Array(Checkpoint))))
      const [counts] = yield* sql`SELECT count(*) AS rows,
          count(*) FILTER (WHERE skip_reason GLOB '*_window:*' OR skip_reason GLOB 'year_round:*')
            AS windowSkips
        FROM email_schedules WHERE scheduler_run_id IS NOT NULL`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(Counts)))
      )
      return { version, checkpoint, counts }
    }).pipe(Effect.provide(sqliteFile(copy)))
  })

/** Runs the production job on `services` after seeding their store with a generated organization. */
const jobOn = <E>(name: string, services: Layer.Layer<Layer.Layer.Success<ReturnType<typeof testServices>>, E>) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(services)
    const store = Context.get(context, ObjectStore)
    const source = yield* generatedCopy(dir, `${name}.sqlite`, 400, 5, "2026-11-29")
    yield* store.upload(KEY, source, { _tag: "IfAbsent" })
    const exitCode = yield* productionJob(Layer.succeedContext(context))
    return { exitCode, ...(yield* pushedResult(store, name)) }
  })

describe("the production job on test layers (issue 14)", () => {
  it.scoped("runs whole on test layers only: a directory store in a temporary directory, TestClock for today", () =>
    Effect.gen(function* () {
      // 15:00 UTC on 2026-12-01 is 09:00 in Chicago, the generated organization's zone: the business day is the 1st.
      yield* TestClock.setTime(Date.UTC(2026, 11, 1, 15))
      const result = yield* jobOn("test-layers", testServices("test-layers", RunServicesLive))
      assert.strictEqual(result.exitCode, 0)
      assert.strictEqual(result.version, "2", "the job pushed over the seeded version")
      assert.deepStrictEqual(result.checkpoint, {
        as_of_date: "2026-12-01",
        ruleset: "baseline@1",
        status: "completed"
      })
      assert.isAbove(result.counts?.rows ?? 0, 400)
      assert.isAbove(result.counts?.windowSkips ?? 0, 0, "the shipped rules skip emails inside exclusion windows")
    })
  )

  it.scoped("embedded in a host program that replaces the RulesEngine and the clock", () =>
    Effect.gen(function* () {
      // The host's own rules (no exclusion window anywhere) and its own business day; TestClock says otherwise.
      yield* TestClock.setTime(Date.UTC(2026, 11, 1, 15))
      const hostRules: Ruleset = { name: "baseline", version: 99, rules: [] }
      const host = Layer.merge(RulesEngine.withRuleset(hostRules), BusinessClock.fixed("2026-12-03"))
      const result = yield* jobOn("host", testServices("host", host))
      assert.strictEqual(result.exitCode, 0)
      assert.deepStrictEqual(result.checkpoint, {
        as_of_date: "2026-12-03",
        ruleset: "baseline@99",
        status: "completed"
      })
      assert.strictEqual(
        result.counts?.windowSkips,
        0,
        "the host's rules have no window, so nothing is skipped for one"
      )
    })
  )

  it.scoped("a job whose store holds no database fails with the sync exit code and pushes nothing", () =>
    Effect.gen(function* () {
      const context = yield* Layer.build(testServices("empty-store", RunServicesLive))
      const exitCode = yield* productionJob(Layer.succeedContext(context))
      assert.strictEqual(exitCode, 4)
      assert.deepStrictEqual(yield* Context.get(context, ObjectStore).list("org-data/"), [])
    })
  )
})
