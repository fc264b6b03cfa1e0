import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { NodeFileSystem } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import { FORBIDDEN_IN_LIBRARY } from "../support/forbidden-packages.js"

/** The package entry, as another application imports it (resolved through package.json `exports` to dist/). */
const loadPackage = () => import("email-scheduler")

/** Every bare module specifier reachable from a compiled file through its static and dynamic relative imports. */
const reachablePackages = (entry: string): Set<string> => {
  const packages = new Set<string>()
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const text = readFileSync(file, "utf8")
    for (const match of text.matchAll(/(?:from\s*|import\s*\(\s*|import\s+)["']([^"']+)["']/g)) {
      const specifier = match[1]!
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier))
      else
        packages.add(specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!)
    }
  }
  visit(resolve(entry))
  return packages
}

describe("embedding as a library (issue 7)", () => {
  it("nothing reachable from the package entry imports a platform, SQLite driver or CLI package", () => {
    const packages = reachablePackages("dist/src/index.js")
    assert.include([...packages], "effect")
    assert.include([...packages], "@effect/sql")
    for (const name of FORBIDDEN_IN_LIBRARY)
      assert.notInclude([...packages], name, `${name} is reachable from the entry`)
  })

  it("email-scheduler/gcs and email-scheduler/s3 bring the storage SDKs, and only they do", async () => {
    assert.include([...reachablePackages("dist/src/gcs.js")], "@google-cloud/storage")
    assert.include([...reachablePackages("dist/src/s3.js")], "@aws-sdk/client-s3")
    const gcs = await import("email-scheduler/gcs")
    const s3 = await import("email-scheduler/s3")
    assert.isFunction(gcs.gcsStore)
    assert.isFunction(s3.s3Store)
    assert.isTrue(s3.isTigrisEndpoint("https://fly.storage.tigris.dev"))
  })

  it.effect("the package entry schedules on a host-provided in-memory SqlClient", () =>
    Effect.gen(function* () {
      const Scheduler = yield* Effect.promise(loadPackage)
      const host = Scheduler.layer.pipe(
        Layer.provideMerge(Layer.effectDiscard(Scheduler.connectionDefaults)),
        Layer.provideMerge(SqliteClient.layer({ filename: ":memory:" }))
      )
      const rows = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* Scheduler.runMigrations
        yield* sql`INSERT INTO contacts (id, email, state, zip_code, birth_date) VALUES
          (1, 'a@example.com', 'TX', '75001', '1955-02-10'), (2, 'b@example.com', 'CA', '90001', '1957-01-20')`
        const report = yield* Scheduler.runOnce({
          asOf: Option.some("2026-11-29"),
          dryRun: false,
          flags: { daily_send_percentage_cap: "100" }
        })
        assert.strictEqual(report.writes.inserted, report.plan.rows)
        return yield* sql`SELECT contact_id, email_type, scheduled_send_date, status, skip_reason FROM email_schedules
          WHERE email_type = 'birthday' ORDER BY contact_id`.pipe(
          Effect.flatMap(
            Schema.decodeUnknown(
              Schema.Array(
                Schema.Struct({
                  contact_id: Schema.Int,
                  email_type: Schema.String,
                  scheduled_send_date: Schema.String,
                  status: Schema.String,
                  skip_reason: Schema.NullOr(Schema.String)
                })
              )
            )
          )
        )
      }).pipe(Effect.provide(Layer.mergeAll(host, NodeFileSystem.layer)), Effect.orDie)
      // TX has no birthday rule: 14 days before. CA's birthday window covers the whole email: skipped.
      assert.deepStrictEqual(
        rows.map((r) => `${r.contact_id} ${r.scheduled_send_date} ${r.status} ${r.skip_reason ?? ""}`.trim()),
        ["1 2027-01-27 pre-scheduled", "2 2027-01-06 skipped birthday_window:CA"]
      )
    })
  )

  it.effect("email-scheduler/node: a host runs on its in-memory database and replaces the clock and the rules", () =>
    Effect.gen(function* () {
      const Scheduler = yield* Effect.promise(loadPackage)
      const Node = yield* Effect.promise(() => import("email-scheduler/node"))
      const host = Layer.mergeAll(
        Node.DatabaseInMemory,
        Scheduler.BusinessClock.fixed("2026-11-29"),
        Scheduler.RulesEngine.withRuleset({ name: "baseline", version: 7, rules: [] })
      )
      const report = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO contacts (id, email, state, zip_code, birth_date) VALUES
          (2, 'b@example.com', 'CA', '90001', '1957-01-20')`
        return yield* Scheduler.runOnce({ asOf: Option.none(), dryRun: false, flags: {} })
      }).pipe(Effect.provide(host), Effect.orDie)
      // The host's day, not the machine's; the host's rules, under which CA's birthday window does not exist.
      assert.strictEqual(report.asOf, "2026-11-29")
      assert.strictEqual(report.ruleset, "baseline@7")
      assert.strictEqual(report.plan.skipped, 0)
    })
  )

  it("the settings schema accepts known overrides and refuses unknown names", async () => {
    const Scheduler = await loadPackage()
    const decode = Schema.decodeUnknownEither(Scheduler.SettingOverrides, { onExcessProperty: "error" })
    assert.isTrue(decode({ ruleset: "baseline", pre_exclusion_buffer_days: "45" })._tag === "Right")
    assert.isTrue(decode({ pre_exclusion_bufer_days: "45" })._tag === "Left")
  })

  it("examples/embed.ts runs as a host program (a real child process importing the package)", () => {
    const output = execFileSync(process.execPath, [join("dist", "examples", "embed.js")], { encoding: "utf8" })
    assert.match(output, /run run_\d{8}T\d{6}Z_[0-9a-f]{8}: 9 emails planned/)
    assert.include(output, "contact 2 birthday 2027-01-06 skipped")
    assert.include(output, "contact 1 aep 2027-09-15 pre-scheduled")
  })
})
