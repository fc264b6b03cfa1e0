import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { directoryStore } from "../../src/storage/directory-store.js"
import { BIN } from "../support/cli.js"
import { type FakeFlyOptions, startFakeFlyMachines } from "../support/fake-fly-machines.js"
import { useTempDir } from "../support/files.js"
import { withServer } from "../support/http.js"

const dir = useTempDir("fleet-cli")
const TOKEN = "fly-deploy-token-cli"
const NIGHT = "2026-12-01"

/** The CLI as a child process that does not block this one (the fake API answers from here). */
const start = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...env }
  })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }))
  )
  return { child, done }
}
const finished = (run: { done: Promise<{ code: number | null; stdout: string; stderr: string }> }) =>
  Effect.promise(() => run.done)
const until = (condition: () => boolean, child: ChildProcess) =>
  Effect.promise(
    () =>
      new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (condition()) {
            clearInterval(timer)
            resolve()
          } else if (child.exitCode !== null) {
            clearInterval(timer)
            reject(new Error("the dispatcher ended before the condition held"))
          }
        }, 5)
      })
  )

/** The in-repo Machines API with a roomy create limit, for these tests' machines. */
const fakeApi = (options: Pick<FakeFlyOptions, "behaviour" | "onExit">) => () =>
  startFakeFlyMachines({
    app: "email-scheduler",
    token: TOKEN,
    createBurst: 30,
    createPerSecond: 30,
    maxWaitMs: 200,
    ...options
  })

describe("email-scheduler fleet (child processes against the in-repo Machines API)", () => {
  it.live("a dispatcher killed half-way and started again finishes the night with one machine per organization", () =>
    withServer(
      fakeApi({
        behaviour: () => ({ exitCode: 0, runMs: 300 })
      }),
      (api) =>
        Effect.gen(function* () {
          const orgs = Array.from({ length: 20 }, (_, i) => `agency-${i + 1}`)
          const file = join(dir, "fleet.json")
          writeFileSync(
            file,
            JSON.stringify({ env: { STORAGE: "s3" }, organizations: orgs.map((org) => ({ org, rootfsSizeGb: 4 })) })
          )
          const state = join(dir, "fleet-state.sqlite")
          const html = join(dir, "fleet.html")
          const args = [
            "fleet",
            "run",
            "--file",
            file,
            "--state",
            state,
            "--night",
            NIGHT,
            "--app",
            "email-scheduler",
            "--image",
            "registry.fly.io/email-scheduler:v2026-12-02",
            "--api-url",
            api.url,
            "--concurrency",
            "4",
            "--creates-per-second",
            "10",
            "--html",
            html
          ]
          const first = start(args, { FLY_API_TOKEN: TOKEN })
          yield* until(() => api.stats.creates >= 6, first.child)
          first.child.kill("SIGKILL")
          assert.strictEqual((yield* finished(first)).code, null, "killed")
          const second = yield* finished(start(args, { FLY_API_TOKEN: TOKEN }))
          assert.strictEqual(second.code, 0, second.stderr)
          for (const org of orgs) assert.strictEqual(api.createsOf(org), 1, `${org}: one machine`)
          assert.include(second.stdout, "20 succeeded, 0 failed")
          assert.include(readFileSync(html, "utf8"), "<b>20</b>succeeded")

          // fleet status, with an organization of the file that never ran.
          writeFileSync(file, JSON.stringify({ organizations: [...orgs, "late-agency"].map((org) => ({ org })) }))
          const status = yield* finished(
            start(["fleet", "status", "--state", state, "--night", NIGHT, "--file", file, "--json"])
          )
          assert.strictEqual(status.code, 0, status.stderr)
          const parsed = JSON.parse(status.stdout) as {
            summary: Record<string, number>
            organizations: Array<{ org: string; state: string; attempts: number; machineId: string | null }>
          }
          assert.deepStrictEqual(parsed.summary, { succeeded: 20, failed: 0, running: 0, retrying: 0, "not run": 1 })
          assert.strictEqual(parsed.organizations.find((o) => o.org === "late-agency")?.state, "not run")
          assert.isNotNull(parsed.organizations.find((o) => o.org === "agency-3")?.machineId)
        })
    )
  )

  it.live("--from-store dispatches every org-data/<org>.db of the bucket and reads the jobs' reports from it", () =>
    Effect.gen(function* () {
      const storeDir = join(dir, "bucket")
      const store = directoryStore(storeDir)
      const payload = join(dir, "payload.bin")
      writeFileSync(payload, "a database")
      for (const key of ["org-data/north.db", "org-data/south.db", "org-data/south.db.conflict-run_1"])
        yield* store.upload(key, payload, { _tag: "IfAbsent" })
      // The machines' stand-in for the job's last step: its report (the real one is test/production/fleet-report.test.ts).
      const leaveReport = (env: Readonly<Record<string, string>>, exitCode: number) => {
        const file = join(dir, `report-${env.ORG_ID}.json`)
        writeFileSync(
          file,
          JSON.stringify({
            org: env.ORG_ID,
            runId: "run_1",
            exitCode,
            asOf: NIGHT,
            contacts: 4321,
            emails: 9876,
            conflict: false,
            databaseBytes: 5_000_000
          })
        )
        return Effect.runPromise(Effect.ignore(store.upload(env.FLEET_REPORT_KEY ?? "", file, { _tag: "IfAbsent" })))
      }
      yield* withServer(fakeApi({ onExit: leaveReport }), (api) =>
        Effect.gen(function* () {
          const file = join(dir, "overrides.json")
          writeFileSync(file, JSON.stringify({ organizations: [{ org: "south", rootfsSizeGb: 7 }] }))
          const result = yield* finished(
            start(
              [
                "fleet",
                "run",
                "--file",
                file,
                "--from-store",
                "--state",
                join(dir, "from-store.sqlite"),
                "--night",
                NIGHT,
                "--app",
                "email-scheduler",
                "--image",
                "img:1",
                "--api-url",
                api.url,
                "--html",
                join(dir, "fs.html")
              ],
              { FLY_API_TOKEN: TOKEN, STORAGE: "dir", STORAGE_DIR: storeDir }
            )
          )
          assert.strictEqual(result.code, 0, result.stderr)
          assert.deepStrictEqual(
            api
              .machines()
              .map((m) => `${m.org}:${m.rootfsSizeGb}`)
              .sort(),
            ["north:10", "south:7"]
          )
          assert.match(result.stdout, /north\s+succeeded\s+0\s+\d+\s+4321\s+9876\s+0\s+1\s/)
        })
      )
    })
  )

  it.live("a night with failures exits 1 and says so; without FLY_API_TOKEN nothing starts (exit 2)", () =>
    withServer(
      fakeApi({
        behaviour: (org) => ({ exitCode: org === "broken" ? 5 : 0 })
      }),
      (api) =>
        Effect.gen(function* () {
          const file = join(dir, "mixed.json")
          writeFileSync(file, JSON.stringify({ organizations: [{ org: "fine" }, { org: "broken" }] }))
          const args = ["fleet", "run", "--file", file, "--state", join(dir, "mixed.sqlite"), "--night", NIGHT]
          const common = [
            "--app",
            "email-scheduler",
            "--image",
            "img:1",
            "--api-url",
            api.url,
            "--html",
            join(dir, "m.html")
          ]
          const noToken = yield* finished(start([...args, ...common]))
          assert.strictEqual(noToken.code, 2, noToken.stderr)
          assert.include(noToken.stderr, "FLY_API_TOKEN is not set")
          assert.strictEqual(api.stats.creates, 0)
          const result = yield* finished(start([...args, ...common], { FLY_API_TOKEN: TOKEN }))
          assert.strictEqual(result.code, 1, result.stderr)
          assert.match(result.stdout, /broken\s+failed\s+5\s/)
          assert.include(result.stderr, "1 organization did not succeed tonight")
        })
    )
  )
})
