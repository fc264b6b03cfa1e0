import type { RunReport } from "../scheduling/run.js"

const n = (value: number): string => value.toLocaleString("en-US")

/** The human summary of a run, for a terminal. */
export const renderRunReport = (report: RunReport): string => {
  const { contacts, profile } = report
  const lines = [
    `Run ${report.dryRun ? "(dry run, nothing written) " : ""}as of ${report.asOf} · ruleset ${report.ruleset} · ${report.zipDataset}`,
    report.migrationsApplied.length > 0
      ? `Migrations applied: ${report.migrationsApplied.join(", ")}`
      : "Schema up to date",
    report.organizationRowMissing ? "No active organization row: every setting takes its default" : "",
    "",
    `Contacts: ${n(contacts.total)} read, ${n(contacts.withValidEmail)} with a valid email`,
    ...Object.entries(contacts.issues).map(
      ([issue, { count, sample }]) =>
        `  ${issue.padEnd(24)} ${n(count).padStart(9)}${sample.length > 0 ? `  e.g. ${sample.slice(0, 5).join(", ")}` : ""}`
    ),
    `  ${"with warnings".padEnd(24)} ${n(contacts.withWarnings).padStart(9)}`,
    `  ${"malformed rows (skipped)".padEnd(24)} ${n(contacts.malformed.count).padStart(9)}`,
    ...contacts.malformed.sample.slice(0, 5).map((row) => `    ${row.message}`),
    "",
    `Profile ${profile.profile}: N ${n(profile.contacts)}, daily cap ${n(profile.dailyCap)}, threshold ${n(profile.threshold)}, ` +
      `ED soft limit ${n(profile.edSoftLimit)}, smoothing window ${profile.edSmoothingWindowDays} days, batch ${n(profile.batchSize)}`,
    `Campaigns: ${report.campaigns.types} types, ${report.campaigns.instances} instances` +
      (report.campaigns.malformed.length > 0 ? `, ${report.campaigns.malformed.length} malformed rows skipped` : ""),
    `Email rows: ${report.emailSchedules.length === 0 ? "none" : report.emailSchedules.map((s) => `${s.status} ${n(s.count)}`).join(", ")}`,
    "",
    `Settings that differ from the defaults: ${
      report.settingsChanged.map(({ name, value, source }) => `${name} = ${value} (${source})`).join(", ") || "none"
    }`,
    ...report.warnings.map((warning) => `Warning: ${warning}`)
  ]
  return lines.filter((line, i) => line !== "" || lines[i - 1] !== "").join("\n")
}
