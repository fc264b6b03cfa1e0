import type { RunReport } from "../run/index.js"

const n = (value: number): string => value.toLocaleString("en-US")
const row = (label: string, value: number, extra = "") => `  ${label.padEnd(30)} ${n(value).padStart(10)}${extra}`
const split = (counts: { readonly preScheduled: number; readonly skipped: number }) =>
  `${n(counts.preScheduled).padStart(10)} pre-scheduled ${n(counts.skipped).padStart(10)} skipped`

/** A one-line bar chart of the next 60 days, one character per day. */
const sparkline = (volume: RunReport["dailyVolume"]): string => {
  const levels = " ▁▂▃▄▅▆▇█"
  const max = Math.max(1, ...volume.map((d) => d.emails))
  return volume.map((d) => levels[Math.ceil((d.emails / max) * (levels.length - 1))] ?? " ").join("")
}

/** The human summary of a run, for a terminal. */
export const renderRunReport = (report: RunReport): string => {
  const { contacts, profile, plan, writes } = report
  const busiest = [...report.dailyVolume].sort((a, b) => b.emails - a.emails || (a.date < b.date ? -1 : 1)).slice(0, 3)
  const states = Object.entries(plan.byState).sort(
    ([, a], [, b]) => b.preScheduled + b.skipped - (a.preScheduled + a.skipped)
  )
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
    `Plan: ${n(plan.rows)} emails, ${n(plan.preScheduled)} pre-scheduled, ${n(plan.skipped)} skipped, ${n(plan.moved)} moved by load balancing`,
    ...Object.entries(plan.byType).map(([type, counts]) => `  ${type.padEnd(30)}${split(counts)}`),
    ...(plan.skipped > 0 ? ["Skipped by reason:"] : []),
    ...Object.entries(plan.bySkipReason).map(([reason, count]) => row(reason, count)),
    `By state (top 10 of ${states.length}):`,
    ...states.slice(0, 10).map(([state, counts]) => `  ${state.padEnd(30)}${split(counts)}`),
    "",
    `Next 60 days (from ${report.asOf}): ${sparkline(report.dailyVolume)}`,
    `  busiest: ${busiest.map((d) => `${d.date} ${n(d.emails)}`).join(", ")} (daily cap ${n(profile.dailyCap)})`,
    "",
    `${report.dryRun ? "Would write" : "Written"}: ${n(writes.inserted)} inserted, ${n(writes.updated)} updated, ` +
      `${n(writes.deleted)} deleted, ${n(writes.unchanged)} unchanged; dropped ${n(writes.droppedHandled)} (key held by ` +
      `the sender) and ${n(writes.droppedDuplicate)} (duplicate key); ${n(writes.contactCampaignsUpdated)} enrollments updated`,
    `Batches: ${n(report.batches.total)}, of which ${n(report.batches.unchanged)} already stored as planned (not rewritten)`,
    report.malformedRows.count > 0 ? `Malformed related rows left untouched: ${n(report.malformedRows.count)}` : "",
    `Profile ${profile.profile}: N ${n(profile.contacts)}, daily cap ${n(profile.dailyCap)}, threshold ${n(profile.threshold)}, ` +
      `ED soft limit ${n(profile.edSoftLimit)}, smoothing window ${profile.edSmoothingWindowDays} days, batch ${n(profile.batchSize)}`,
    `Time: setup ${report.phases.setup} ms, load ${report.phases.load} ms, plan ${report.phases.plan} ms${report.planningThreads === 2 ? " (2 threads)" : ""}${report.contactsReused > 0 ? ` (${report.contactsReused} contacts' plans reused)` : ""}, balance ${report.phases.balance} ms, write ${report.phases.write} ms (SQL ${report.phases.writeSql} ms)`,
    `Plan checksum ${report.checksums.plan.slice(0, 16)}…`,
    `Settings that differ from the defaults: ${
      report.settingsChanged.map(({ name, value, source }) => `${name} = ${value} (${source})`).join(", ") || "none"
    }`,
    ...report.warnings.map((warning) => `Warning: ${warning}`)
  ]
  return lines.filter((line, i) => line !== "" || (i > 0 && lines[i - 1] !== "")).join("\n")
}
