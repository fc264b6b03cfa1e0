import { spawn } from "node:child_process"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { pingUrl } from "../../src/production/healthcheck.js"
import { useTempDir } from "../support/files.js"
import { startHealthMonitor } from "../support/health-monitor.js"
import { withServer } from "../support/http.js"
import { directoryJob, ENTRYPOINT, runJob, seededStore } from "../support/job.js"

const dir = useTempDir("healthcheck")

describe("HEALTHCHECK_URL, the dead-man's switch (issue 13; an in-repo monitor over real HTTP)", () => {
  it("pings <url>/start, <url> and <url>/fail, never doubling a trailing slash", () => {
    const base = new URL("https://hc-ping.com/5f1c/")
    assert.deepStrictEqual(
      (["start", "success", "fail"] as const).map((kind) => pingUrl(base, kind)),
      ["https://hc-ping.com/5f1c/start", "https://hc-ping.com/5f1c", "https://hc-ping.com/5f1c/fail"]
    )
  })

  it.effect("a job that succeeds pings start, then success with its summary line", () =>
    withServer(startHealthMonitor, (monitor) =>
      Effect.gen(function* () {
        const storeDir = yield* seededStore(dir, "success")
        const result = yield* runJob(directoryJob(dir, storeDir, { HEALTHCHECK_URL: monitor.url("/ping/abc") }))
        assert.strictEqual(result.code, 0, result.stdout)
        assert.deepStrictEqual(
          monitor.pings.map((ping) => `${ping.method} ${ping.path}`),
          ["POST /ping/abc/start", "POST /ping/abc"]
        )
        assert.match(monitor.pings[0]!.body, /^run started org=acme runId=run_/)
        assert.match(monitor.pings[1]!.body, /^run succeeded asOf=2026-12-01 contacts=300 emails=\d+ .* exitCode=0$/)
      })
    )
  )

  it.effect("a job that fails pings start, then fail with the failure's sentence and exit code", () =>
    withServer(startHealthMonitor, (monitor) =>
      Effect.gen(function* () {
        const empty = join(dir, "store-empty")
        const result = yield* runJob(directoryJob(dir, empty, { HEALTHCHECK_URL: monitor.url("/ping/abc") }))
        assert.strictEqual(result.code, 4, result.stdout)
        assert.deepStrictEqual(
          monitor.pings.map((ping) => ping.path),
          ["/ping/abc/start", "/ping/abc/fail"]
        )
        assert.match(monitor.pings[1]!.body, /^run failed error=SyncError message=.*exitCode=4$/)
      })
    )
  )

  it.effect("a job stopped by SIGTERM pings fail at once, with the interruption in the body", () =>
    withServer(startHealthMonitor, (monitor) =>
      Effect.gen(function* () {
        const storeDir = yield* seededStore(dir, "interrupted", 10_000)
        const variables = directoryJob(dir, storeDir, { HEALTHCHECK_URL: monitor.url("/ping/abc") })
        const code = yield* Effect.promise(
          () =>
            new Promise<number | null>((resolve) => {
              const child = spawn(process.execPath, [ENTRYPOINT], {
                env: { PATH: process.env.PATH ?? "", ...variables }
              })
              let stdout = ""
              child.stdout.on("data", (chunk: Buffer) => {
                stdout += chunk.toString()
                if (stdout.includes('"phase":"integrity check after pull"') && !child.killed) child.kill("SIGTERM")
              })
              child.on("exit", (exitCode) => resolve(exitCode))
            })
        )
        assert.strictEqual(code, 143)
        assert.deepStrictEqual(
          monitor.pings.map((ping) => ping.path),
          ["/ping/abc/start", "/ping/abc/fail"]
        )
        assert.match(monitor.pings[1]!.body, /^run failed error=Interrupted .*exitCode=143$/)
      })
    )
  )

  it.effect("a monitor that is down or refuses never changes the job's outcome: a warning, exit 0", () =>
    withServer(
      () => startHealthMonitor(503),
      (monitor) =>
        Effect.gen(function* () {
          const storeDir = yield* seededStore(dir, "refused")
          const result = yield* runJob(directoryJob(dir, storeDir, { HEALTHCHECK_URL: monitor.url("/ping/abc") }))
          assert.strictEqual(result.code, 0, result.stdout)
          assert.include(result.stdout, "health check ping failed")
          assert.notInclude(result.stdout, "/ping/abc", "the ping URL (its token) is never logged")
          assert.strictEqual(monitor.pings.filter((ping) => ping.path === "/ping/abc/start").length, 3, "three tries")
        })
    )
  )

  it.effect("an HEALTHCHECK_URL that is not an http(s) URL is a configuration error (exit 2)", () =>
    Effect.gen(function* () {
      const result = yield* runJob(directoryJob(dir, join(dir, "store-unused"), { HEALTHCHECK_URL: "hc-ping.com/abc" }))
      assert.strictEqual(result.code, 2, result.stdout)
      assert.include(result.stdout, "HEALTHCHECK_URL must be an http(s) URL")
    })
  )
})
