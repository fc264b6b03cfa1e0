import type { RunReport } from "../scheduling/run.js"

const n = (value: number): string => value.toLocaleString("en-US")
const row = (label: string, value: number, extra = "") => `  ${label.padEnd(30)} ${n(value).padStart(10)}${extra}`

/** The human summary of a run, for a terminal. */
export const renderRunReport = (report: RunReport): string => {
  const { contacts, profile, plan, writes } = report
  const lines = [
    `Run ${report.runId}${report.dryRun ? " (dry run: nothing was written)" : ""}`,
    `As of ${report.asOf} · ruleset ${report.ruleset} · ${report.zipDataset}`,
    report.migrationsApplied.length > 0 ? `Migrations applied: ${report.migrationsApplied.join(", ")}` : "",
    report.organizationRowMissing ? "No active organization row: every setting takes its default" : "",
    "",
    `Contacts: ${n(contacts.total)} read, ${n(contacts.withValidEmail)} with a valid email`,
    ...Object.entries(contacts.issues).map(([issue, { count, sample }]) =>
      row(issue, count, sample.length > 0 ? `  e.g. ${sample.slice(0, 5).join(", ")}` : "")
    ),
    row("with warnings", contacts.withWarnings),
    row("malformed rows (skipped)", contacts.malformed.count),
    ...contacts.malformed.sample.slice(0, 5).map((bad) => `    ${bad.message}`),
    "",
    `Plan: ${n(plan.rows)} emails, ${n(plan.preScheduled)} pre-scheduled, ${n(plan.skipped)} skipped`,
    ...Object.entries(plan.byType).map(
      ([type, counts]) => `${row(type, counts.preScheduled)} pre-scheduled ${n(counts.skipped).padStart(10)} skipped`
    ),
    ...(plan.skipped > 0 ? ["Skipped by reason:"] : []),
    ...Object.entries(plan.bySkipReason).map(([reason, count]) => row(reason, count)),
    "",
    `${report.dryRun ? "Would write" : "Written"}: ${n(writes.inserted)} inserted, ${n(writes.updated)} updated, ` +
      `${n(writes.deleted)} deleted, ${n(writes.unchanged)} unchanged, ${n(writes.droppedHandled)} dropped (handled), ` +
      `${n(writes.droppedDuplicate)} dropped (duplicate)`,
    report.malformedRows.count > 0 ? `Malformed email/event rows left untouched: ${n(report.malformedRows.count)}` : "",
    `Profile ${profile.profile}: N ${n(profile.contacts)}, daily cap ${n(profile.dailyCap)}, threshold ${n(profile.threshold)}, ` +
      `ED soft limit ${n(profile.edSoftLimit)}, smoothing window ${profile.edSmoothingWindowDays} days, batch ${n(profile.batchSize)}`,
    `Settings that differ from the defaults: ${
      report.settingsChanged.map(({ name, value, source }) => `${name} = ${value} (${source})`).join(", ") || "none"
    }`,
    ...report.warnings.map((warning) => `Warning: ${warning}`)
  ]
  return lines.filter((line, i) => line !== "" || (i > 0 && lines[i - 1] !== "")).join("\n")
}
