import { closeSync, copyFileSync, openSync, statSync, writeSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect } from "effect"
import { runCli } from "../support/cli.js"
import { useTempDir } from "../support/files.js"
import { useMounts } from "../support/mounts.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("disk-full")
const AS_OF = "2026-11-29"
const mounts = useMounts()

describe("a full disk or a damaged file (issue 15)", () => {
  it.effect("a run that fills the disk says so in one sentence, with no stack trace, exit 1", () =>
    Effect.gen(function* () {
      const source = yield* generatedCopy(dir, "org.sqlite", 3000, 9, AS_OF)
      const size = statSync(source).size
      const disk = mounts.smallDisk(join(dir, "small-disk"), size + 256 * 1024)
      if (disk === undefined) {
        console.warn("skipped: this sandbox allows no tmpfs mount (needs root and mount(8))")
        return
      }
      const path = join(disk, "org.sqlite")
      copyFileSync(source, path)
      const result = runCli(["run", "--db", path, "--as-of", AS_OF])
      assert.strictEqual(result.code, 1, result.stderr)
      const lines = result.stderr.split("\n").filter((line) => line.startsWith("email-scheduler:"))
      assert.lengthOf(lines, 1, result.stderr)
      assert.include(lines[0], "the disk is full (SQLITE_FULL)")
      assert.notMatch(result.stderr, /^\s+at /m, "no stack trace")
    })
  )

  it.effect("a run on a page-damaged file names the damage and records no failure in it", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "damaged.sqlite", 3000, 9, AS_OF)
      assert.strictEqual(runCli(["run", "--db", path, "--as-of", AS_OF]).code, 0)
      const before = checkpointRows(path)
      // Garbage over the middle third of the file (the schema page and the first pages stay readable).
      const size = statSync(path).size
      const garbage = Buffer.alloc(Math.floor(size / 3), 0xa5)
      const fd = openSync(path, "r+")
      writeSync(fd, garbage, 0, garbage.length, Math.floor(size / 3))
      closeSync(fd)
      const result = runCli(["run", "--db", path, "--as-of", "2026-11-30"])
      assert.strictEqual(result.code, 1, result.stderr)
      assert.include(result.stderr, "the database file is damaged (SQLITE_CORRUPT")
      assert.notMatch(result.stderr, /^\s+at /m, "no stack trace")
      // The damage is met while reading, before the run's first write (its checkpoint row): nothing is written.
      assert.deepStrictEqual(checkpointRows(path), before, "no checkpoint written into a damaged file")
    })
  )
})

/** The checkpoints as they are, read however damaged the rest of the file is. */
const checkpointRows = (path: string): ReadonlyArray<{ status: string }> => {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    return db.prepare("SELECT status FROM scheduler_checkpoints ORDER BY id").all() as Array<{ status: string }>
  } catch {
    return []
  } finally {
    db.close()
  }
}
