/**
 * The production run, in the order the job needs: pull → integrity check → migrate and schedule → integrity check →
 * single-file snapshot → conditional push (the StorageSync service does each step, `runOnce` the scheduling). A
 * failure before the push pushes nothing; a push whose precondition fails overwrites nothing and keeps this run's
 * result under `<key>.conflict-<runId>`.
 */
import { join } from "node:path"
import { Duration, Effect, Metric, Option } from "effect"
import { databaseFile } from "../app/sqlite.js"
import { makeRunId, type RunReport, runOnce } from "../run/index.js"
import type { ProductionConfig } from "./config.js"
import { contactsGauge, phaseDuration, rowsCounter } from "./metrics.js"
import { StorageSync } from "./StorageSync.js"

/** A phase of the run: its own span, logged with its duration, which the phase-duration metric records too. */
const phase = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>) =>
  Effect.timed(effect).pipe(
    Effect.tap(([duration]) => {
      const ms = Math.round(Duration.toMillis(duration))
      return Effect.logInfo("phase done").pipe(
        Effect.annotateLogs({ phase: name, ms }),
        Effect.zipRight(Metric.update(Metric.tagged(phaseDuration, "phase", name), ms))
      )
    }),
    Effect.map(([, value]) => value),
    Effect.withSpan(`phase ${name}`, { attributes: { phase: name } })
  )

/** The run's size and writes, as metrics (exported when telemetry is on). */
const recordRunMetrics = (report: RunReport) =>
  Effect.all([
    Metric.set(contactsGauge, report.contacts.total),
    Metric.incrementBy(Metric.tagged(rowsCounter, "change", "inserted"), report.writes.inserted),
    Metric.incrementBy(Metric.tagged(rowsCounter, "change", "updated"), report.writes.updated),
    Metric.incrementBy(Metric.tagged(rowsCounter, "change", "deleted"), report.writes.deleted)
  ])

export const syncAndRun = (config: ProductionConfig) =>
  Effect.flatMap(makeRunId, (runId) => syncAndRunAs(config, runId).pipe(Effect.annotateLogs({ runId })))

export const syncAndRunAs = (config: ProductionConfig, runId: string) =>
  Effect.gen(function* () {
    const sync = yield* StorageSync
    yield* Effect.logInfo("pulling").pipe(Effect.annotateLogs({ store: sync.description, key: config.objectKey }))
    const pulled = yield* phase("pull", sync.pull(config))
    yield* phase("integrity check after pull", sync.verify(pulled.local, "after the pull"))
    const report = yield* phase(
      "schedule",
      runOnce({ asOf: config.asOf, dryRun: false, flags: {}, runId, disposableFile: true }).pipe(
        Effect.provide(databaseFile(pulled.local))
      )
    )
    yield* recordRunMetrics(report)
    yield* phase("integrity check after run", sync.verify(pulled.local, "after the run"))
    const snapshotPath = join(pulled.workDirectory, `${config.orgId}.snapshot.db`)
    yield* phase("snapshot", sync.snapshot(pulled.local, snapshotPath, report.runId))
    const pushed = yield* phase("push", sync.push(config.objectKey, snapshotPath, pulled.condition, report.runId))
    const databaseBytes = Option.getOrUndefined(yield* sync.sizeOf(snapshotPath))
    return { report, version: pushed.version, databaseBytes }
  }).pipe(Effect.scoped, Effect.annotateLogs({ org: config.orgId }))
