import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("pragmas")
const AS_OF = "2026-11-29"

/** Runs once on `path` and answers the connection's `synchronous` setting afterwards (0 = OFF, 1 = NORMAL). */
const synchronousAfterRun = (path: string, disposableFile: boolean) =>
  Effect.gen(function* () {
    const report = yield* runOnce({ asOf: Option.some(AS_OF), dryRun: false, flags: {}, disposableFile })
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql`PRAGMA synchronous`.pipe(
      Effect.flatMap(Schema.decodeUnknown(Schema.Array(Schema.Struct({ synchronous: Schema.Int }))))
    )
    return { inserted: report.writes.inserted, synchronous: row?.synchronous }
  }).pipe(Effect.provide(runnableFile(path)))

describe("how a run's writes reach the disk", () => {
  it.live(
    "a file scheduled in place is synced at each checkpoint; a disposable copy (the production pull) is not",
    () =>
      Effect.gen(function* () {
        const inPlace = yield* synchronousAfterRun(yield* generatedCopy(dir, "in-place.sqlite", 60, 3, AS_OF), false)
        const disposable = yield* synchronousAfterRun(yield* generatedCopy(dir, "copy.sqlite", 60, 3, AS_OF), true)
        assert.isAbove(inPlace.inserted, 0)
        assert.strictEqual(disposable.inserted, inPlace.inserted)
        assert.strictEqual(inPlace.synchronous, 1)
        assert.strictEqual(disposable.synchronous, 0)
      })
  )
})
