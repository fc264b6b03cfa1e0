import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "vitest"
import { HEAP_FLAGS, MALLOC_TUNABLES, relaunchWithSettings } from "../../src/cli/runtime-settings.js"
import { BIN } from "../support/cli.js"
import { useTempDir } from "../support/files.js"

const dir = useTempDir("runtime-settings")

const started = (execArgv: ReadonlyArray<string>, env: Record<string, string | undefined> = {}) =>
  relaunchWithSettings({ execPath: "/usr/bin/node", execArgv, argv: ["/usr/bin/node", "/app/bin.js", "run"], env })

describe("the CLI's heap settings (runtime-settings.ts)", () => {
  it("starts again with the heap flags and malloc tunables unless the caller chose heap flags", () => {
    const plain = started(["--enable-source-maps"], { HOME: "/root" })
    assert.deepStrictEqual(plain?.argv, ["/usr/bin/node", ...HEAP_FLAGS, "--enable-source-maps", "/app/bin.js", "run"])
    assert.deepStrictEqual(plain?.env, { HOME: "/root", GLIBC_TUNABLES: MALLOC_TUNABLES })
    assert.strictEqual(
      started([], { GLIBC_TUNABLES: "glibc.malloc.arena_max=2" })?.env.GLIBC_TUNABLES,
      "glibc.malloc.arena_max=2"
    )
    const chosen: ReadonlyArray<[ReadonlyArray<string>, Record<string, string>]> = [
      [["--max-old-space-size=2048"], {}],
      [["--max-semi-space-size", "16"], {}],
      [["--max-old-space-size-percentage=50"], {}],
      [["--max_old_space_size=4096"], {}],
      [[], { NODE_OPTIONS: "--enable-source-maps  --max-semi-space-size=4" }],
      [HEAP_FLAGS, {}]
    ]
    for (const [execArgv, env] of chosen)
      assert.isUndefined(started(execArgv, env), `${execArgv.join(" ")} ${env.NODE_OPTIONS ?? ""}`)
    assert.isDefined(started([], { NODE_OPTIONS: "--max-old-space-sizes=1" }), "a different flag is not a heap flag")
  })

  /** Runs the built CLI with a preload that appends each Node start's process id, flags and tunables to a log. */
  const startsOf = (nodeFlags: ReadonlyArray<string>, args: ReadonlyArray<string>) => {
    const log = join(dir, `starts-${Math.random().toString(36).slice(2)}.log`)
    const preload = join(dir, "record-start.mjs")
    if (!existsSync(preload)) {
      writeFileSync(
        preload,
        `import { appendFileSync } from "node:fs"
appendFileSync(process.env.START_LOG, JSON.stringify({ pid: process.pid, execArgv: process.execArgv, tunables: process.env.GLIBC_TUNABLES ?? null }) + "\\n")
`
      )
    }
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => name !== "GLIBC_TUNABLES" && name !== "NODE_OPTIONS")
    )
    const result = spawnSync(process.execPath, [...nodeFlags, "--import", preload, BIN, ...args], {
      encoding: "utf8",
      env: { ...env, START_LOG: log, NO_COLOR: "1" }
    })
    const starts = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { pid: number; execArgv: ReadonlyArray<string>; tunables: string | null })
    return { code: result.status, stdout: result.stdout, starts }
  }

  it("a plain `node` start becomes, in the same process, one with the heap flags and tunables (real child processes)", () => {
    const plain = startsOf([], ["--version"])
    assert.strictEqual(plain.code, 0)
    assert.match(plain.stdout, /^\d+\.\d+\.\d+/)
    assert.strictEqual(plain.starts.length, 2)
    const [first, second] = plain.starts
    assert.strictEqual(second?.pid, first?.pid, "process.execve keeps the process")
    assert.deepStrictEqual(second?.execArgv.slice(0, HEAP_FLAGS.length), [...HEAP_FLAGS])
    assert.strictEqual(second?.tunables, MALLOC_TUNABLES)
    // A usage error's exit code comes through the new start unchanged.
    const usage = startsOf([], ["run", "--no-such-flag"])
    assert.strictEqual(usage.starts.length, 2)
    assert.strictEqual(usage.code, 2)
  })

  it("the caller's own heap flags are kept, and the rendered help prints without a second start", () => {
    const own = startsOf(["--max-old-space-size=2048"], ["--version"])
    assert.strictEqual(own.code, 0)
    assert.deepStrictEqual(
      own.starts.map((start) => start.execArgv[0]),
      ["--max-old-space-size=2048"]
    )
    assert.strictEqual(startsOf([], ["--help"]).starts.length, 1)
  })
})
