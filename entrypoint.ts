/**
 * The one-shot production job (a Fly.io machine runs `node dist/entrypoint.js` each night): read the settings from
 * the environment, pull the organization's database from object storage, schedule, verify, push it back without ever
 * overwriting a newer copy, and exit with a meaningful code (PRODUCTION_DEPLOYMENT.md lists them):
 *   0 success (push included) · 1 scheduling failure · 2 configuration · 3 mount · 4 sync or conflict · 5 integrity
 *   · 6 local file (working directory, disk) · 124 JOB_TIMEOUT elapsed · 143 interrupted by a signal.
 * `--init` creates the remote database when it does not exist yet (`--init --force` when conflict copies of it exist,
 * after checking them). The job itself is src/production/job.ts; the layers it runs on:
 *   JobConfig (environment) → ObjectStore (GCS | S3 | directory | mount) → StorageSync ─┐
 *   RulesEngine, BusinessClock (live) ──────────────────────────────────────────────────┴→ productionJob → exit code
 */
import { Command, Options } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit } from "effect"
import { JobConfig } from "./src/production/config.js"
import { INTERRUPTED, jobLayer, productionJob } from "./src/production/job.js"
import { RunServicesLive } from "./src/run/index.js"

const entrypoint = Command.make(
  "entrypoint",
  { init: Options.boolean("init"), force: Options.boolean("force") },
  (options) =>
    productionJob(jobLayer(JobConfig.fromEnvironment(options), RunServicesLive)).pipe(
      Effect.flatMap((code) => Effect.sync(() => (process.exitCode = code)))
    )
)

const main = Command.run(entrypoint, { name: "email-scheduler job", version: "1" })(process.argv).pipe(
  // An unknown flag is a configuration mistake (exit 2); @effect/cli has printed what it expected.
  Effect.catchAll(() => Effect.sync(() => (process.exitCode = 2))),
  Effect.provide(NodeContext.layer)
)

NodeRuntime.runMain(main, {
  disablePrettyLogger: true,
  // Success and handled failures exit with process.exitCode; an interruption must not look like success.
  teardown: (exit, onExit) => onExit(Exit.isFailure(exit) ? (Cause.isInterruptedOnly(exit.cause) ? INTERRUPTED : 1) : 0)
})
