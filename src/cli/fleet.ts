/**
 * `email-scheduler fleet run` and `fleet status` (issue 13): every organization's nightly job as a one-shot Fly
 * machine, and the night's overview.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { Command, Options } from "@effect/cli"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Config, Console, type Context, Data, DateTime, Duration, Effect, Layer, Option, Redacted } from "effect"
import { sqliteFile } from "../app/sqlite.js"
import { nightState } from "../db/fleet-night-state.js"
import { businessDateProblem, type IsoDate } from "../domain/dates.js"
import { dispatchNight } from "../fleet/dispatch.js"
import { decodeFleetFile, type FleetFile, organizationsInStore } from "../fleet/fleet-file.js"
import { machinesApi } from "../fleet/machines-api.js"
import { readFleetReport } from "../fleet/report.js"
import { nightStatus, renderNightStatus, renderNightStatusHtml } from "../fleet/status.js"
import { storageConfig } from "../production/config.js"
import { ObjectStore } from "../storage/ObjectStore.js"
import { BusinessClock } from "../time/BusinessClock.js"
import { UsageError } from "./errors.js"

const stateFile = Options.text("state").pipe(
  Options.withDefault("fleet-state.sqlite"),
  Options.withDescription("the dispatcher's SQLite file: what each night did (created if absent)")
)
const night = Options.text("night").pipe(
  Options.optional,
  Options.withDescription("the night (YYYY-MM-DD) to dispatch or show; default: today in --timezone")
)
const timezone = Options.text("timezone").pipe(
  Options.withDefault("America/Chicago"),
  Options.withDescription("the zone whose date names the night (each job still uses its organization's own zone)")
)
const maxAttempts = Options.integer("max-attempts").pipe(
  Options.withDefault(3),
  Options.withDescription("machines per organization and night, retries included")
)

const nightOf = (value: Option.Option<string>, zone: string) =>
  Effect.gen(function* () {
    if (Option.isSome(value)) {
      const problem = businessDateProblem(value.value)
      if (problem !== undefined) return yield* new UsageError({ message: `--night ${problem}` })
      return value.value
    }
    const named = DateTime.zoneMakeNamed(zone)
    if (Option.isNone(named)) return yield* new UsageError({ message: `--timezone "${zone}" is not an IANA zone` })
    return yield* Effect.flatMap(BusinessClock, (clock) => clock.todayIn(named.value))
  })

const readFleetFile = (path: string): Effect.Effect<FleetFile, UsageError> =>
  Effect.try(() => readFileSync(path, "utf8")).pipe(
    Effect.mapError(() => new UsageError({ message: `--file ${path} cannot be read` })),
    Effect.flatMap((text) =>
      decodeFleetFile(text).pipe(
        Effect.mapError(
          (error) => new UsageError({ message: `--file ${path} is not a fleet file: ${error.message.split("\n")[0]}` })
        )
      )
    )
  )

/**
 * The jobs' store, when the dispatcher has their storage variables (`STORAGE`, …): it reads each job's report there
 * (contacts, emails, conflicts, the database's size for the next disk) and can list the organizations. Without them,
 * the night has exit codes only.
 */
const jobsStore = Effect.gen(function* () {
  const kind = yield* Effect.orElseSucceed(Config.option(Config.string("STORAGE")), () => Option.none<string>())
  if (Option.isNone(kind)) return undefined
  const storage = yield* Effect.mapError(storageConfig, (error) => new UsageError({ message: error.message }))
  // Loaded only here: the cloud SDKs would otherwise cost every command its start-up time (issue 11).
  const { apiStoreLayer } = yield* Effect.promise(() => import("../production/stores.js"))
  return yield* Layer.build(Layer.merge(apiStoreLayer(storage), NodeFileSystem.layer))
})

/** The file's organizations, plus with `--from-store` every `org-data/<org>.db` of the bucket (the file's overrides kept). */
const organizationsOf = (
  fleet: FleetFile,
  fromStore: boolean,
  store: Context.Context<ObjectStore | FileSystem.FileSystem> | undefined
) =>
  Effect.gen(function* () {
    if (!fromStore) return fleet.organizations
    if (store === undefined) {
      return yield* new UsageError({ message: "--from-store needs the jobs' storage variables (STORAGE, …)" })
    }
    const listed = yield* Effect.flatMap(ObjectStore, organizationsInStore).pipe(
      Effect.provide(store),
      Effect.mapError((error) => new UsageError({ message: `the organizations could not be listed: ${error.message}` }))
    )
    const named = new Set(fleet.organizations.map((o) => o.org))
    return [...fleet.organizations, ...listed.filter((o) => !named.has(o.org))]
  })

const positive = (flag: string, value: number, max: number) =>
  Number.isSafeInteger(value) && value >= 1 && value <= max
    ? Effect.void
    : Effect.fail(new UsageError({ message: `--${flag} must be a whole number from 1 to ${max} (got ${value})` }))

const run = Command.make(
  "run",
  {
    file: Options.text("file").pipe(Options.withDescription("the fleet file: organizations and their jobs' variables")),
    fromStore: Options.boolean("from-store").pipe(
      Options.withDescription("also every org-data/<org>.db of the bucket the STORAGE variables name")
    ),
    state: stateFile,
    night,
    timezone,
    app: Options.text("app").pipe(
      Options.withFallbackConfig(Config.string("FLY_APP_NAME")),
      Options.withDescription("the Fly app whose machines run the jobs (or FLY_APP_NAME)")
    ),
    image: Options.text("image").pipe(
      Options.withDescription("the image the machines run, e.g. registry.fly.io/email-scheduler:v2026-12-02")
    ),
    apiUrl: Options.text("api-url").pipe(
      Options.withDefault("https://api.machines.dev"),
      Options.withDescription("the Machines API")
    ),
    region: Options.text("region").pipe(Options.optional, Options.withDescription("default region of the machines")),
    concurrency: Options.integer("concurrency").pipe(
      Options.withDefault(5),
      Options.withDescription("organizations running at the same time")
    ),
    maxAttempts,
    createsPerSecond: Options.integer("creates-per-second").pipe(
      Options.withDefault(1),
      Options.withDescription("machine creations per second (bursts of three times this)")
    ),
    retryDelaySeconds: Options.integer("retry-delay-seconds").pipe(
      Options.withDefault(30),
      Options.withDescription("pause before the first retry of an organization, doubled for each next one")
    ),
    rootfsSizeGb: Options.integer("rootfs-size-gb").pipe(
      Options.withDefault(10),
      Options.withDescription("root file system per machine unless the fleet file sets it (about twice the database)")
    ),
    html: Options.text("html").pipe(Options.optional, Options.withDescription("where to write the night's HTML page"))
  },
  (flags) =>
    Effect.gen(function* () {
      yield* positive("concurrency", flags.concurrency, 100)
      yield* positive("max-attempts", flags.maxAttempts, 10)
      yield* positive("creates-per-second", flags.createsPerSecond, 100)
      yield* positive("rootfs-size-gb", flags.rootfsSizeGb, 500)
      const token = yield* Config.redacted("FLY_API_TOKEN").pipe(
        Effect.mapError(
          () =>
            new UsageError({
              message: "FLY_API_TOKEN is not set (a deploy token scoped to the app: fly tokens create deploy)"
            })
        )
      )
      const fleet = yield* readFleetFile(flags.file)
      const store = yield* jobsStore
      const organizations = yield* organizationsOf(fleet, flags.fromStore, store)
      const theNight: IsoDate = yield* nightOf(flags.night, flags.timezone)
      const api = yield* machinesApi({ baseUrl: flags.apiUrl, token: Redacted.value(token), app: flags.app })
      const state = yield* nightState
      const outcomes = yield* dispatchNight(
        organizations,
        {
          night: theNight,
          image: flags.image,
          env: fleet.env,
          region: Option.getOrUndefined(flags.region),
          rootfsSizeGb: flags.rootfsSizeGb,
          cpuKind: "performance",
          cpus: 2,
          memoryMb: 4096,
          concurrency: flags.concurrency,
          maxAttempts: flags.maxAttempts,
          createLimit: { limit: 3 * flags.createsPerSecond, interval: Duration.seconds(3) },
          retryDelay: Duration.seconds(flags.retryDelaySeconds),
          waitSeconds: 60,
          // Twice the job's own default deadline (JOB_TIMEOUT, 60 minutes): a machine past it is stuck.
          maxMachineSeconds: 2 * 60 * 60,
          now: () => Date.now(),
          readReport:
            store === undefined ? undefined : (key: string) => readFleetReport(key).pipe(Effect.provide(store))
        },
        api,
        state
      )
      const status = nightStatus(
        theNight,
        yield* state.attempts(theNight),
        organizations.map((o) => o.org),
        flags.maxAttempts
      )
      yield* Console.log(renderNightStatus(status))
      const htmlPath = Option.getOrElse(flags.html, () => `fleet-${theNight}.html`)
      writeFileSync(htmlPath, renderNightStatusHtml(status, new Date().toISOString().slice(0, 19).replace("T", " ")))
      if ([...outcomes.values()].some((outcome) => outcome !== "succeeded")) {
        return yield* new FleetIncomplete({ notSucceeded: status.organizations.length - status.summary.succeeded })
      }
    }).pipe(Effect.scoped, Effect.provide(Layer.merge(sqliteFile(flags.state), FetchHttpClient.layer)))
).pipe(
  Command.withDescription(
    "Run every organization's nightly job as a one-shot Fly machine: create, wait, read the exit code, retry exit 4, 143 and start failures, and exit 124 once; a dispatcher started again continues the same night. Needs FLY_API_TOKEN."
  )
)

const status = Command.make(
  "status",
  {
    state: stateFile,
    night,
    timezone,
    file: Options.text("file").pipe(
      Options.optional,
      Options.withDescription("the fleet file, so that organizations that never started show as not run")
    ),
    maxAttempts,
    json: Options.boolean("json").pipe(Options.withDescription("print one JSON document"))
  },
  (flags) =>
    Effect.gen(function* () {
      const theNight = yield* nightOf(flags.night, flags.timezone)
      const expected = Option.isSome(flags.file) ? (yield* readFleetFile(flags.file.value)).organizations : []
      const state = yield* nightState
      const result = nightStatus(
        theNight,
        yield* state.attempts(theNight),
        expected.map((o) => o.org),
        flags.maxAttempts
      )
      yield* Console.log(flags.json ? JSON.stringify(result, null, 2) : renderNightStatus(result))
    }).pipe(Effect.provide(sqliteFile(flags.state)))
).pipe(Command.withDescription("One line per organization for a night: state, exit code, seconds, attempts, machine."))

/** Some organization did not succeed tonight (exit 1); the table above says which. */
export class FleetIncomplete extends Data.TaggedError("FleetIncomplete")<{ readonly notSucceeded: number }> {
  override get message(): string {
    return `${this.notSucceeded} ${this.notSucceeded === 1 ? "organization" : "organizations"} did not succeed tonight; see the table above.`
  }
}

export const fleet = Command.make("fleet").pipe(
  Command.withDescription("Dispatch every organization's nightly job on Fly Machines, and show how a night went."),
  Command.withSubcommands([run, status])
)
