import { existsSync, mkdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("database-file")

const runOn = (path: string) =>
  runOnce({ asOf: Option.some("2026-11-29"), dryRun: false, flags: {} }).pipe(Effect.provide(runnableFile(path)))

describe("a host's database file (email-scheduler/node's runnableFile and databaseFile)", () => {
  it.effect("a path that does not exist fails with DatabaseFileMissing and leaves no file behind", () =>
    Effect.gen(function* () {
      const path = join(dir, "missing.sqlite3")
      const error = yield* Effect.flip(runOn(path))
      assert.strictEqual(error._tag, "DatabaseFileMissing")
      assert.strictEqual(error.message, `The database file ${path} does not exist.`)
      assert.isFalse(existsSync(path), "no empty database was created")
    })
  )

  it.effect("a directory fails with DatabaseNotAFile and stays a directory", () =>
    Effect.gen(function* () {
      const path = join(dir, "a-directory.sqlite3")
      mkdirSync(path)
      const error = yield* Effect.flip(runOn(path))
      assert.strictEqual(error._tag, "DatabaseNotAFile")
      assert.isTrue(statSync(path).isDirectory())
    })
  )

  it.effect("an existing organization's file runs", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "organization.sqlite3", 20, 1, "2026-11-29")
      const report = yield* runOn(path)
      assert.strictEqual(report.contacts.total, 20)
      assert.isAbove(report.writes.inserted, 0)
    })
  )
})
