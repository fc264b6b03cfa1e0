import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { readFleetReport } from "../../src/fleet/report.js"
import { directoryStore } from "../../src/storage/directory-store.js"
import { ObjectStore } from "../../src/storage/ObjectStore.js"
import { useTempDir } from "../support/files.js"
import { directoryJob, runJob, seededStore } from "../support/job.js"

const dir = useTempDir("fleet-report")

const reportIn = (storeDir: string, key: string) =>
  readFleetReport(key).pipe(
    Effect.provide(Layer.merge(Layer.succeed(ObjectStore, directoryStore(storeDir)), NodeFileSystem.layer))
  )

describe("the job's report for the fleet dispatcher (FLEET_REPORT_KEY; real child processes, directory store)", () => {
  it.effect("a job that succeeds leaves its numbers and its database's size; one that fails, its exit code", () =>
    Effect.gen(function* () {
      const storeDir = yield* seededStore(dir, "acme")
      const job = directoryJob(dir, storeDir)
      assert.strictEqual((yield* runJob({ ...job, FLEET_REPORT_KEY: "fleet/2026-12-01/acme-1.json" })).code, 0)
      const report = yield* reportIn(storeDir, "fleet/2026-12-01/acme-1.json")
      assert.isTrue(Option.isSome(report))
      const value = Option.getOrThrow(report)
      assert.strictEqual(value.exitCode, 0)
      assert.strictEqual(value.contacts, 300)
      assert.isAbove(value.emails ?? 0, 300)
      assert.isFalse(value.conflict)
      assert.isAbove(value.databaseBytes ?? 0, 100_000)

      const missing = { ...job, ORG_ID: "nobody", FLEET_REPORT_KEY: "fleet/2026-12-01/nobody-1.json" }
      assert.strictEqual((yield* runJob(missing)).code, 4)
      const failed = Option.getOrThrow(yield* reportIn(storeDir, "fleet/2026-12-01/nobody-1.json"))
      assert.deepStrictEqual([failed.exitCode, failed.contacts, failed.conflict], [4, null, false])

      assert.strictEqual(
        (yield* runJob({ ...job, FLEET_REPORT_KEY: "../outside.json" })).code,
        2,
        "validated like OBJECT_KEY"
      )
    })
  )
})
