/**
 * `fleet run`: every organization's nightly job as a one-shot Fly machine (issue 13). For each organization, with at most
 * `concurrency` at a time and machine creations rate-limited: create the machine, wait for it to stop, read its exit
 * code, retry the retriable failures with backoff, and record every step in the night's state (db/fleet-night-state.ts)
 * so that a dispatcher started again continues the same night without creating a second machine for anyone.
 */
import { createHash } from "node:crypto"
import { Duration, Effect, Option, RateLimiter } from "effect"
import type { Attempt, NightState } from "../db/fleet-night-state.js"
import type { MachineSpec, MachinesApi, MachinesApiError, RateLimited } from "./machines-api.js"
import type { FleetReport } from "./report.js"

export interface Organization {
  readonly org: string
  /** Variables of this organization's job on top of the fleet's (`SCHEDULER_*` overrides, `OBJECT_KEY`, …). */
  readonly env?: Readonly<Record<string, string>> | undefined
  readonly region?: string | undefined
  /** About twice the database (PRODUCTION_DEPLOYMENT.md); the fleet default otherwise. */
  readonly rootfsSizeGb?: number | undefined
}

/**
 * The machine every organization gets unless its entry says otherwise: `env` is what every job shares (STORAGE,
 * bucket, …; secrets come from the app's `fly secrets`), `region` and `rootfsSizeGb` the defaults.
 */
export interface FleetSettings extends Omit<MachineSpec, "name"> {
  /** The business night being dispatched (YYYY-MM-DD): the state's key and part of each machine's name. */
  readonly night: string
  readonly concurrency: number
  readonly maxAttempts: number
  /** Machine creations: `limit` per `interval`, bursts included (the API allows about one a second). */
  readonly createLimit: { readonly limit: number; readonly interval: Duration.Duration }
  /** First pause before a retry, doubled each time. */
  readonly retryDelay: Duration.Duration
  /** Seconds per `/wait` call (the API accepts up to 60). */
  readonly waitSeconds: number
  /** A machine still running this long after its attempt began is destroyed and counts as a failed start. */
  readonly maxMachineSeconds: number
  readonly now: () => number
  /** Reads the report a job left at a key (fleet/report.ts); without a store, the night has exit codes only. */
  readonly readReport?: ((key: string) => Effect.Effect<Option.Option<FleetReport>>) | undefined
}

/** Where the job of an attempt leaves its report: `fleet/<night>/<machine name>.json`. */
export const reportKey = (night: string, name: string): string => `fleet/${night}/${name}.json`

/** Twice the database (the working copy and its snapshot) and a gigabyte to spare, at least 2 GB. */
export const rootfsForDatabase = (bytes: number): number => Math.max(2, Math.ceil((2 * bytes) / 1e9) + 1)

/** Exit codes worth another machine: a transient sync error (4) and a signal (143). Never 2 (config) or 5 (integrity). */
export const RETRIABLE_EXIT_CODES: ReadonlySet<number> = new Set([4, 143])

/** `JOB_TIMEOUT` elapsed: retried once (PRODUCTION_DEPLOYMENT.md); a second timeout means the night is too long. */
export const JOB_TIMEOUT_EXIT_CODE = 124

const timedOut = (attempt: Attempt): boolean =>
  attempt.state === "exited" && attempt.exit_code === JOB_TIMEOUT_EXIT_CODE

/** Whether an organization whose attempts so far are `attempts` (oldest first) deserves another machine. */
export const isRetriable = (attempts: ReadonlyArray<Attempt>): boolean => {
  const last = attempts.at(-1)
  if (last === undefined) return false
  if (last.state === "start_failed") return true
  if (last.state !== "exited" || last.exit_code === null) return false
  if (timedOut(last)) return attempts.filter(timedOut).length === 1
  return RETRIABLE_EXIT_CODES.has(last.exit_code)
}

/**
 * `sched-acme-3f2a9c1b-20261201-1`: a valid Fly machine name, unique per organization, night and attempt. The hash of
 * the exact organization id keeps `Acme`, `acme` and `a.b` / `a_b` apart once the name is lower-cased.
 */
export const machineName = (org: string, night: string, attempt: number): string => {
  const slug = org.toLowerCase().replace(/[^a-z0-9-]/g, "-")
  const hash = createHash("sha256").update(org).digest("hex").slice(0, 8)
  return `sched-${slug}-${hash}-${night.replaceAll("-", "")}-${attempt}`
}

export type OrganizationOutcome = "succeeded" | "failed" | "gave_up"

const finished = (attempt: Attempt | undefined): boolean =>
  attempt !== undefined && (attempt.state === "exited" || attempt.state === "start_failed")

export const dispatchNight = (
  organizations: ReadonlyArray<Organization>,
  settings: FleetSettings,
  api: MachinesApi,
  state: NightState
) =>
  Effect.gen(function* () {
    const createLimiter = yield* RateLimiter.make({
      limit: settings.createLimit.limit,
      interval: settings.createLimit.interval,
      algorithm: "token-bucket"
    })
    /** A call the API refused with 429 is made again after the `retry-after` it named. */
    const politely = <A>(call: Effect.Effect<A, RateLimited | MachinesApiError>): Effect.Effect<A, MachinesApiError> =>
      Effect.catchTag(call, "RateLimited", (refused) =>
        Effect.zipRight(Effect.sleep(refused.retryAfter), politely(call))
      )

    const key = (attempt: Attempt) => ({ night: attempt.night, org: attempt.org, attempt: attempt.attempt })

    /** The machine of an attempt in `creating`: the one created before a restart (same name), or a new one. */
    const ensureMachine = (organization: Organization, attempt: Attempt) =>
      Effect.gen(function* () {
        const existing = yield* politely(api.findByName(attempt.machine_name))
        if (Option.isSome(existing)) return existing.value.id
        const knownBytes = yield* state.lastDatabaseBytes(organization.org)
        const machine = yield* politely(
          createLimiter(
            api.create({
              name: attempt.machine_name,
              image: settings.image,
              env: {
                ...settings.env,
                ...organization.env,
                ORG_ID: organization.org,
                ...(settings.readReport === undefined
                  ? {}
                  : { FLEET_REPORT_KEY: reportKey(settings.night, attempt.machine_name) })
              },
              region: organization.region ?? settings.region,
              rootfsSizeGb:
                organization.rootfsSizeGb ??
                (knownBytes === undefined ? settings.rootfsSizeGb : rootfsForDatabase(knownBytes)),
              cpuKind: settings.cpuKind,
              cpus: settings.cpus,
              memoryMb: settings.memoryMb
            })
          )
        )
        return machine.id
      })

    /**
     * Waits for the machine to stop: its exit code, or undefined when it failed to start, stopped without exiting, or
     * did not stop within `maxMachineSeconds` of the attempt's start (then it is destroyed).
     */
    const awaitExit = (machineId: string, startedAt: number): Effect.Effect<number | undefined, MachinesApiError> =>
      Effect.gen(function* () {
        const stopped = yield* politely(api.waitStopped(machineId, settings.waitSeconds))
        const machine = yield* politely(api.get(machineId))
        if (machine.exitCode !== undefined && (stopped || machine.state === "destroyed")) return machine.exitCode
        if (machine.state === "failed" || machine.state === "destroyed" || stopped) return undefined
        if (settings.now() - startedAt > settings.maxMachineSeconds * 1000) {
          yield* politely(api.destroy(machineId))
          return undefined
        }
        return yield* awaitExit(machineId, startedAt)
      })

    /** One attempt from wherever it stands to its end. */
    const complete = (organization: Organization, attempt: Attempt) =>
      Effect.gen(function* () {
        let machineId = attempt.machine_id
        if (attempt.state === "creating") {
          const created = yield* Effect.either(ensureMachine(organization, attempt))
          if (created._tag === "Left") {
            yield* state.transition(key(attempt), "creating", {
              state: "start_failed",
              message: created.left.message,
              at: settings.now()
            })
            return
          }
          machineId = created.right
          yield* state.transition(key(attempt), "creating", { state: "running", machineId })
        }
        if (machineId === null) return
        const exit = yield* Effect.either(awaitExit(machineId, attempt.started_at))
        const exitCode = exit._tag === "Right" ? exit.right : undefined
        yield* state.transition(
          key(attempt),
          "running",
          exitCode === undefined
            ? {
                state: "start_failed",
                message:
                  exit._tag === "Left"
                    ? exit.left.message
                    : `the machine failed to start, or did not stop within ${settings.maxMachineSeconds} s`,
                at: settings.now()
              }
            : { state: "exited", exitCode, at: settings.now() }
        )
        if (settings.readReport !== undefined) {
          const report = yield* settings.readReport(reportKey(settings.night, attempt.machine_name))
          if (Option.isSome(report)) yield* state.recordReport(key(attempt), report.value)
        }
      })

    const runOrganization = (organization: Organization): Effect.Effect<OrganizationOutcome> =>
      Effect.gen(function* () {
        for (;;) {
          const attempts = yield* state.attempts(settings.night, organization.org)
          const last = attempts.at(-1)
          if (last !== undefined && !finished(last)) {
            yield* Effect.orDie(complete(organization, last))
            continue
          }
          if (last?.state === "exited" && last.exit_code === 0) return "succeeded"
          if (last !== undefined && !isRetriable(attempts)) return "failed"
          if (attempts.length >= settings.maxAttempts) return "gave_up"
          if (last !== undefined) {
            yield* Effect.sleep(Duration.times(settings.retryDelay, 2 ** (attempts.length - 1)))
          }
          const next = attempts.length + 1
          yield* state.begin({
            night: settings.night,
            org: organization.org,
            attempt: next,
            machineName: machineName(organization.org, settings.night, next),
            at: settings.now()
          })
        }
      }).pipe(Effect.annotateLogs({ org: organization.org }), Effect.withSpan("fleet organization"))

    const outcomes = yield* Effect.forEach(
      organizations,
      (organization) => Effect.map(runOrganization(organization), (outcome) => [organization.org, outcome] as const),
      { concurrency: settings.concurrency }
    )
    return new Map(outcomes)
  }).pipe(Effect.scoped)
