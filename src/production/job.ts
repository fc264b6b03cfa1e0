/**
 * The one-shot production job as one Effect (entrypoint.ts runs it): with the configuration, the object store and the
 * StorageSync service its layer provides, pull the organization's database, schedule, verify, push it back without
 * ever overwriting a newer copy, and answer the exit code PRODUCTION_DEPLOYMENT.md lists. Watched from outside by the
 * health-check pings and the OTLP telemetry when asked.
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Cause, Config, Duration, Effect, Layer, Logger, LogLevel, Metric } from "effect"
import { reportingTo } from "../fleet/report.js"
import type { RulesEngine } from "../rules/RulesEngine.js"
import { makeRunId } from "../run/index.js"
import type { ObjectStore } from "../storage/ObjectStore.js"
import type { BusinessClock } from "../time/BusinessClock.js"
import { JobConfig } from "./config.js"
import { exitCodeOf, JobTimeout } from "./errors.js"
import { healthcheckFromEnvironment } from "./healthcheck.js"
import { exitCodeGauge } from "./metrics.js"
import { StorageSync } from "./StorageSync.js"
import { storeLayer } from "./stores.js"
import { syncAndRunAs } from "./sync.js"
import { telemetryFromEnvironment, telemetryLayer } from "./telemetry.js"
import { logWarningsAsJson } from "./warnings.js"

/** What the job runs on: its configuration, the store and StorageSync over it, the rules, the clock, the files. */
export type JobServices = JobConfig | ObjectStore | StorageSync | RulesEngine | BusinessClock | FileSystem.FileSystem

/**
 * The live graph: configuration from the environment → the store it names (GCS | S3 | directory | mount) →
 * StorageSync; the run's Database is opened on the pulled file inside the job.
 */
export const jobLayer = <E, E2>(
  config: Layer.Layer<JobConfig, E>,
  runServices: Layer.Layer<RulesEngine | BusinessClock, E2>
) =>
  StorageSync.Default.pipe(
    Layer.provideMerge(Layer.unwrapEffect(Effect.map(JobConfig, storeLayer))),
    Layer.provideMerge(Layer.mergeAll(config, runServices, NodeFileSystem.layer))
  )

/** Pull, schedule, push, within the job's deadline; ends with the "run succeeded" line. */
const job = (runId: string) =>
  Effect.gen(function* () {
    const config = yield* JobConfig
    const started = Date.now()
    const { report, version } = yield* syncAndRunAs(config, runId).pipe(
      Effect.timeoutFail({
        duration: config.jobTimeout,
        onTimeout: () => new JobTimeout({ limit: Duration.format(config.jobTimeout) })
      }),
      // Under the fleet dispatcher: the job's summary, left in the store for it (success or failure).
      reportingTo(config.fleetReportKey, config.orgId, runId)
    )
    const summary = {
      asOf: report.asOf,
      contacts: report.contacts.total,
      emails: report.plan.rows,
      inserted: report.writes.inserted,
      updated: report.writes.updated,
      deleted: report.writes.deleted,
      pushedVersion: version,
      seconds: Math.round((Date.now() - started) / 1000),
      exitCode: 0
    }
    yield* Effect.logInfo("run succeeded").pipe(Effect.annotateLogs(summary))
    return summaryLine("run succeeded", summary)
  })

/** The summary as one line of `key=value` pairs: the health check's ping body. */
const summaryLine = (message: string, fields: Readonly<Record<string, unknown>>): string =>
  [message, ...Object.entries(fields).map(([key, value]) => `${key}=${String(value)}`)].join(" ")

/** One summary line and the exit code for every failure; the failure's own message is the one clear sentence. */
const reportFailure = (cause: Cause.Cause<unknown>) => {
  const failure = Cause.failureOption(cause)
  const interrupted = Cause.isInterruptedOnly(cause)
  const tag =
    failure._tag === "Some" && typeof failure.value === "object" && failure.value !== null && "_tag" in failure.value
      ? String(failure.value._tag)
      : interrupted
        ? "Interrupted"
        : "Defect"
  const code = interrupted ? INTERRUPTED : exitCodeOf(tag)
  const message =
    failure._tag === "Some" && failure.value instanceof Error
      ? failure.value.message
      : interrupted
        ? "interrupted: nothing was pushed"
        : Cause.pretty(cause)
  const fields = { error: tag, message, exitCode: code }
  return Effect.logError("run failed").pipe(
    Effect.annotateLogs(fields),
    Effect.zipRight(Metric.set(exitCodeGauge, code)),
    Effect.zipRight(Effect.annotateCurrentSpan({ exitCode: code, error: tag })),
    Effect.as({ code, summary: summaryLine("run failed", fields) })
  )
}

/** The organization as the environment names it, for the log lines written before (or without) a valid config. */
const orgLabel = Config.string("ORG_ID").pipe(
  Effect.map((value) => value.trim() || "unset"),
  Effect.orElseSucceed(() => "unset")
)

/**
 * The whole job on the services `layer` provides: health-check pings and telemetry around pull → schedule → push,
 * one summary line, and the exit code as its result. Building the layer is part of the job: an invalid configuration
 * (exit 2) or a failed mount (exit 3) is reported like any other failure. Every log line, the summary included,
 * carries the organization and the run id.
 */
export const productionJob = <E>(layer: Layer.Layer<JobServices, E>) =>
  Effect.gen(function* () {
    const runId = yield* makeRunId
    const org = yield* orgLabel
    yield* Effect.sync(() => logWarningsAsJson({ org, runId }, (line) => process.stdout.write(`${line}\n`)))
    const interrupted = {
      error: "Interrupted",
      message: "interrupted by a signal: nothing was pushed",
      exitCode: INTERRUPTED
    }
    return yield* Effect.gen(function* () {
      // HEALTHCHECK_URL and OTEL_* first: unusable values are a configuration failure like any other (exit 2), reported
      // without a ping or a span.
      const observed = yield* Effect.either(
        Effect.all({ healthcheck: healthcheckFromEnvironment, telemetry: telemetryFromEnvironment })
      )
      if (observed._tag === "Left") return (yield* reportFailure(Cause.fail(observed.left))).code
      const { healthcheck, telemetry } = observed.right
      yield* healthcheck.ping("start", summaryLine("run started", { org, runId }))
      return yield* job(runId).pipe(
        Effect.provide(layer),
        Effect.tap(() => Effect.zipRight(Metric.set(exitCodeGauge, 0), Effect.annotateCurrentSpan("exitCode", 0))),
        Effect.flatMap((summary) => Effect.as(healthcheck.ping("success", summary), 0)),
        Effect.catchAllCause((cause) =>
          Effect.flatMap(reportFailure(cause), ({ code, summary }) =>
            Effect.as(healthcheck.ping("fail", summary), code)
          )
        ),
        // SIGTERM/SIGINT interrupt the main fiber: finalizers run, the push never starts; say so in the summary line.
        Effect.onInterrupt(() =>
          Effect.logError("run failed").pipe(
            Effect.annotateLogs(interrupted),
            Effect.zipRight(Metric.set(exitCodeGauge, INTERRUPTED)),
            Effect.zipRight(healthcheck.ping("fail", summaryLine("run failed", interrupted), { quick: true }))
          )
        ),
        Effect.withSpan("email-scheduler job", { attributes: { org, runId } }),
        // Closing the exporter's scope flushes the spans and metrics before the process exits.
        Effect.provide(telemetryLayer(telemetry))
      )
    }).pipe(Effect.annotateLogs({ org, runId }))
  }).pipe(Effect.provide(Logger.json), Logger.withMinimumLogLevel(LogLevel.Info))

/** 128 + SIGTERM (15): the usual code of a process ended by a signal. */
export const INTERRUPTED = 143
