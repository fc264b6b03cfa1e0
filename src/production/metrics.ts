/**
 * The production job's metrics (issue 13), as Effect metrics: exported over OTLP when telemetry is on (telemetry.ts),
 * and free otherwise. Defined apart from the exporter so that the job's code records them without loading it.
 */
import { Metric, MetricBoundaries } from "effect"

/** Milliseconds each phase of the job took (pull, integrity checks, schedule, snapshot, push), by `phase`. */
export const phaseDuration = Metric.histogram(
  "email_scheduler.phase.duration",
  // 10 ms … ~20 min, doubling.
  MetricBoundaries.exponential({ start: 10, factor: 2, count: 18 }),
  "duration of a phase of the production job, in milliseconds"
)
/** Contacts in the organization's database (valid or not). */
export const contactsGauge = Metric.gauge("email_scheduler.contacts", { description: "contacts in the database" })
/** Email rows the run inserted, updated and deleted, by `change`. */
export const rowsCounter = Metric.counter("email_scheduler.rows", {
  description: "email_schedules rows written, by change (inserted, updated, deleted)"
})
/** Pushes refused because the remote copy changed during the run (SyncConflict). */
export const conflictsCounter = Metric.counter("email_scheduler.conflicts", {
  description: "pushes refused because the remote database changed during the run"
})
/** The job's exit code (0 on success). */
export const exitCodeGauge = Metric.gauge("email_scheduler.exit_code", { description: "the job's exit code" })
