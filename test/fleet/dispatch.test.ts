import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { FetchHttpClient } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import { sqliteFile } from "../../src/app/sqlite.js"
import { nightState } from "../../src/db/fleet-night-state.js"
import { dispatchNight, type FleetSettings, machineName, rootfsForDatabase } from "../../src/fleet/dispatch.js"
import { decodeFleetFile, organizationsInStore } from "../../src/fleet/fleet-file.js"
import { machinesApi } from "../../src/fleet/machines-api.js"
import { type FleetReport, readFleetReport } from "../../src/fleet/report.js"
import { nightStatus } from "../../src/fleet/status.js"
import { directoryStore } from "../../src/storage/directory-store.js"
import { ObjectStore } from "../../src/storage/ObjectStore.js"
import { type FakeFlyOptions, startFakeFlyMachines } from "../support/fake-fly-machines.js"
import { useTempDir } from "../support/files.js"
import { withServer } from "../support/http.js"

const dir = useTempDir("fleet")
const NIGHT = "2026-12-01"
const TOKEN = "fly-deploy-token-test"

const settings = (overrides: Partial<FleetSettings> = {}): FleetSettings => ({
  night: NIGHT,
  image: "registry.fly.io/email-scheduler:v2026-12-02",
  env: { STORAGE: "s3", BUCKET_NAME: "schedules" },
  region: "iad",
  rootfsSizeGb: 10,
  cpuKind: "performance",
  cpus: 2,
  memoryMb: 4096,
  concurrency: 5,
  maxAttempts: 3,
  createLimit: { limit: 5, interval: Duration.millis(250) },
  retryDelay: Duration.millis(20),
  waitSeconds: 60,
  maxMachineSeconds: 30,
  now: () => Date.now(),
  ...overrides
})

/** The dispatcher through the production client code, against the fake API over HTTP, with a real SQLite state file. */
const dispatch = (
  fake: { url: string },
  orgs: ReadonlyArray<string>,
  stateName: string,
  overrides: Partial<FleetSettings> = {}
) =>
  Effect.gen(function* () {
    const api = yield* machinesApi({ baseUrl: fake.url, token: TOKEN, app: "email-scheduler" })
    const state = yield* nightState
    const outcomes = yield* dispatchNight(
      orgs.map((org) => ({ org })),
      settings(overrides),
      api,
      state
    )
    const night = settings(overrides).night
    return { outcomes, status: nightStatus(night, yield* state.attempts(night), orgs, 3) }
  }).pipe(Effect.provide(Layer.merge(sqliteFile(join(dir, stateName)), FetchHttpClient.layer)))

const fake = (options: Partial<FakeFlyOptions>) => () =>
  startFakeFlyMachines({ app: "email-scheduler", token: TOKEN, maxWaitMs: 200, ...options })

describe("fleet run on the Fly Machines API (issue 13; an in-repo API server over real HTTP)", () => {
  it.live("50 organizations with a concurrency of 5 finish with one machine each, within the create rate limit", () =>
    withServer(fake({ createBurst: 2, createPerSecond: 25, behaviour: () => ({ exitCode: 0, runMs: 60 }) }), (api) =>
      Effect.gen(function* () {
        const orgs = Array.from({ length: 50 }, (_, i) => `org-${String(i + 1).padStart(2, "0")}`)
        const { outcomes, status } = yield* dispatch(api, orgs, "fifty.sqlite")
        assert.deepStrictEqual(new Set(outcomes.values()), new Set(["succeeded"]))
        for (const org of orgs) assert.strictEqual(api.createsOf(org), 1, org)
        assert.strictEqual(status.summary.succeeded, 50)
        assert.isAtMost(api.stats.maxRunning, 5, "never more than the concurrency at once")
        assert.isAbove(api.stats.rateLimited, 0, "the fake's bucket is smaller than the dispatcher's: 429s happened")
        assert.strictEqual(api.stats.unauthorized, 0)
        const machine = api.machines().find((m) => m.org === "org-07")
        assert.strictEqual(machine?.name, machineName("org-07", NIGHT, 1))
      })
    )
  )

  it.live("exit 4, 143 and start failures are retried within the attempts, 124 once, 2 and 5 never", () =>
    withServer(
      fake({
        createBurst: 20,
        createPerSecond: 50,
        behaviour: (org, attempt) => {
          const plans: Record<string, ReadonlyArray<{ exitCode: number } | { neverStarts: true }>> = {
            transient: [{ exitCode: 4 }, { exitCode: 0 }],
            config: [{ exitCode: 2 }, { exitCode: 0 }],
            integrity: [{ exitCode: 5 }, { exitCode: 0 }],
            unstartable: [{ neverStarts: true }, { exitCode: 0 }],
            signalled: [{ exitCode: 143 }, { exitCode: 143 }, { exitCode: 143 }, { exitCode: 0 }],
            // JOB_TIMEOUT: retried once (PRODUCTION_DEPLOYMENT.md); a second timeout is a night too long, not bad luck.
            slowOnce: [{ exitCode: 124 }, { exitCode: 0 }],
            slowTwice: [{ exitCode: 124 }, { exitCode: 124 }, { exitCode: 0 }],
            slowAfterSignal: [{ exitCode: 143 }, { exitCode: 124 }, { exitCode: 0 }]
          }
          return plans[org]?.[attempt] ?? { exitCode: 0 }
        }
      }),
      (api) =>
        Effect.gen(function* () {
          const orgs = [
            "transient",
            "config",
            "integrity",
            "unstartable",
            "signalled",
            "fine",
            "slowOnce",
            "slowTwice",
            "slowAfterSignal"
          ]
          const { outcomes, status } = yield* dispatch(api, orgs, "retries.sqlite")
          assert.deepStrictEqual(Object.fromEntries(outcomes), {
            transient: "succeeded",
            config: "failed",
            integrity: "failed",
            unstartable: "succeeded",
            signalled: "gave_up",
            fine: "succeeded",
            slowOnce: "succeeded",
            slowTwice: "failed",
            slowAfterSignal: "succeeded"
          })
          assert.deepStrictEqual(
            orgs.map((org) => api.createsOf(org)),
            [2, 1, 1, 2, 3, 1, 2, 2, 3]
          )
          const row = (org: string) => status.organizations.find((o) => o.org === org)!
          assert.deepStrictEqual(
            [row("transient").state, row("transient").exitCode, row("transient").attempts],
            ["succeeded", 0, 2]
          )
          assert.deepStrictEqual([row("config").state, row("config").exitCode], ["failed", 2])
          assert.deepStrictEqual([row("integrity").state, row("integrity").exitCode], ["failed", 5])
          assert.deepStrictEqual(
            [row("signalled").state, row("signalled").exitCode, row("signalled").attempts],
            ["failed", 143, 3]
          )
          assert.deepStrictEqual(
            [row("slowTwice").state, row("slowTwice").exitCode, row("slowTwice").attempts],
            ["failed", 124, 2]
          )
          assert.deepStrictEqual(status.summary, { succeeded: 5, failed: 4, running: 0, retrying: 0, "not run": 0 })
        })
    )
  )

  it.live("a machine that never stops is destroyed after the limit and retried; names keep look-alike ids apart", () =>
    withServer(
      fake({
        createBurst: 20,
        createPerSecond: 50,
        behaviour: (org, attempt) => ({ exitCode: 0, runMs: org === "stuck" && attempt === 0 ? 5_000 : 30 })
      }),
      (api) =>
        Effect.gen(function* () {
          const { outcomes, status } = yield* dispatch(api, ["stuck", "a.b", "a_b"], "stuck.sqlite", {
            maxMachineSeconds: 1
          })
          assert.deepStrictEqual(Object.fromEntries(outcomes), {
            stuck: "succeeded",
            "a.b": "succeeded",
            a_b: "succeeded"
          })
          assert.strictEqual(api.createsOf("stuck"), 2)
          const first = api.machines().find((m) => m.name === machineName("stuck", NIGHT, 1))
          assert.strictEqual(first?.state, "destroyed", "the stuck machine was destroyed")
          assert.strictEqual(status.organizations.find((o) => o.org === "stuck")?.attempts, 2)
          assert.notStrictEqual(machineName("a.b", NIGHT, 1), machineName("a_b", NIGHT, 1))
          assert.deepStrictEqual([api.createsOf("a.b"), api.createsOf("a_b")], [1, 1])
        })
    )
  )

  it.live("a second dispatcher on the same night finds everything done and creates nothing", () =>
    withServer(fake({ createBurst: 20, createPerSecond: 50 }), (api) =>
      Effect.gen(function* () {
        const orgs = ["a", "b", "c"]
        yield* dispatch(api, orgs, "again.sqlite")
        const again = yield* dispatch(api, orgs, "again.sqlite")
        assert.deepStrictEqual([...again.outcomes.values()], ["succeeded", "succeeded", "succeeded"])
        assert.strictEqual(api.stats.creates, 3)
      })
    )
  )
})

describe("the jobs' reports (contacts, emails, conflicts, database size)", () => {
  it.live("are read after each machine stops, shown in the status, and size the next night's disk", () =>
    Effect.gen(function* () {
      const storeDir = join(dir, "reports")
      const store = directoryStore(storeDir)
      // A stand-in for the job's last step (the real job's report is tested in test/production/fleet-report.test.ts).
      const leaveReport = (env: Readonly<Record<string, string>>, exitCode: number) => {
        const file = join(dir, `${env.ORG_ID}-${exitCode}-${Math.random()}.json`)
        const report: FleetReport = {
          org: env.ORG_ID ?? "",
          runId: "run_x",
          exitCode,
          asOf: NIGHT,
          contacts: exitCode === 0 ? 1200 : null,
          emails: exitCode === 0 ? 5000 : null,
          conflict: exitCode === 4,
          databaseBytes: exitCode === 0 ? 7_400_000_000 : null
        }
        writeFileSync(file, JSON.stringify(report))
        return Effect.runPromise(Effect.ignore(store.upload(env.FLEET_REPORT_KEY ?? "", file, { _tag: "IfAbsent" })))
      }
      yield* withServer(
        fake({
          createBurst: 20,
          createPerSecond: 50,
          onExit: leaveReport,
          behaviour: (org, attempt) => ({ exitCode: org === "raced" && attempt === 0 ? 4 : 0 })
        }),
        (api) =>
          Effect.gen(function* () {
            const readReport = (key: string) =>
              readFleetReport(key).pipe(
                Effect.provide(Layer.merge(Layer.succeed(ObjectStore, store), NodeFileSystem.layer))
              )
            const first = yield* dispatch(api, ["acme", "raced"], "reports.sqlite", { readReport })
            const acme = first.status.organizations.find((o) => o.org === "acme")!
            assert.deepStrictEqual([acme.contacts, acme.emails, acme.conflicts], [1200, 5000, 0])
            const raced = first.status.organizations.find((o) => o.org === "raced")!
            assert.deepStrictEqual([raced.state, raced.conflicts, raced.attempts], ["succeeded", 1, 2])
            assert.isTrue(api.machines().every((m) => m.env.FLEET_REPORT_KEY?.startsWith(`fleet/${NIGHT}/sched-`)))
            assert.isTrue(
              api.machines().every((m) => m.rootfsSizeGb === 10),
              "no size known yet: the default"
            )
            // The next night, each machine's disk follows the database size the last report gave: 2 × 7.4 GB + 1.
            yield* dispatch(api, ["acme"], "reports.sqlite", { readReport, night: "2026-12-02" })
            const next = api.machines().find((m) => m.name === machineName("acme", "2026-12-02", 1))
            assert.strictEqual(next?.rootfsSizeGb, rootfsForDatabase(7_400_000_000))
            assert.strictEqual(rootfsForDatabase(7_400_000_000), 16)
          })
      )
    })
  )
})

describe("the organizations of a fleet", () => {
  it.effect("come from the bucket's org-data/<org>.db objects, conflict copies and other objects left out", () =>
    Effect.gen(function* () {
      const storeDir = join(dir, "bucket")
      const store = directoryStore(storeDir)
      const source = join(dir, "tiny.db")
      writeFileSync(source, "not even SQLite: only the keys matter here")
      for (const key of [
        "org-data/acme.db",
        "org-data/zenith.db",
        "org-data/acme.db.conflict-run_1",
        "notes/readme.db"
      ])
        yield* store.upload(key, source, { _tag: "IfAbsent" })
      assert.deepStrictEqual((yield* organizationsInStore(store)).map((o) => o.org).sort(), ["acme", "zenith"])
    })
  )

  it.effect("or from a fleet file, whose mistakes are reported", () =>
    Effect.gen(function* () {
      const file = yield* decodeFleetFile(
        JSON.stringify({ env: { STORAGE: "dir" }, organizations: [{ org: "acme", rootfsSizeGb: 20 }] })
      )
      assert.deepStrictEqual(file.organizations, [{ org: "acme", rootfsSizeGb: 20 }])
      const wrong = yield* Effect.flip(decodeFleetFile(JSON.stringify({ organizations: [{ org: "../etc" }] })))
      assert.include(wrong.message, "ORG_ID")
    })
  )
})
