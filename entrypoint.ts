/**
 * The one-shot production job (a Fly.io machine runs `node dist/entrypoint.js` each night): read the settings from
 * the environment, pull the organization's database from object storage, schedule, verify, push it back without ever
 * overwriting a newer copy, and exit with a meaningful code (PRODUCTION_DEPLOYMENT.md lists them):
 *   0 success (push included) · 1 scheduling failure · 2 configuration · 3 mount · 4 sync or conflict · 5 integrity
 *   · 6 local file (working directory, disk) · 124 JOB_TIMEOUT elapsed · 143 interrupted by a signal.
 * Pass `--init` to create the remote database when it does not exist yet (`--init --force` when conflict copies of it
 * exist, after checking them). The job itself is src/production/job.ts.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Exit } from "effect"
import { INTERRUPTED, productionJob } from "./src/production/job.js"

const args = process.argv.slice(2)

NodeRuntime.runMain(productionJob({ init: args.includes("--init"), force: args.includes("--force") }), {
  disablePrettyLogger: true,
  // Success and handled failures exit with process.exitCode; an interruption must not look like success.
  teardown: (exit, onExit) => onExit(Exit.isFailure(exit) ? (Cause.isInterruptedOnly(exit.cause) ? INTERRUPTED : 1) : 0)
})
