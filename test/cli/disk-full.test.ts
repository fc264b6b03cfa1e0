import { copyFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCli } from "../support/cli.js"
import { useTempDir } from "../support/files.js"
import { useMounts } from "../support/mounts.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("disk-full")
const AS_OF = "2026-11-29"
const mounts = useMounts()

describe("a full disk (issue 15)", () => {
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
})
