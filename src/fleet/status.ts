/**
 * `fleet status`: one line per organization for a night, from the dispatcher's state, and a summary; the same as a
 * small HTML page beside the report.
 */
import type { Attempt } from "../db/fleet-night-state.js"
import { escapeHtml } from "../report/chart.js"
import { REPORT_STYLE } from "../report/html.js"
import { isRetriable } from "./dispatch.js"

export type OrganizationState = "succeeded" | "failed" | "running" | "retrying" | "not run"

export interface OrganizationStatus {
  readonly org: string
  readonly state: OrganizationState
  readonly exitCode: number | null
  readonly seconds: number | null
  readonly attempts: number
  readonly machineId: string | null
  readonly message: string | null
  /** From the last job's report, when the dispatcher could read it. */
  readonly contacts: number | null
  readonly emails: number | null
  /** Attempts whose push met a newer remote copy (SyncConflict). */
  readonly conflicts: number
}

export interface NightStatus {
  readonly night: string
  readonly organizations: ReadonlyArray<OrganizationStatus>
  readonly summary: Readonly<Record<OrganizationState, number>>
}

/** The state of an organization whose attempts (oldest first, at least one) are `attempts`. */
const stateOf = (attempts: ReadonlyArray<Attempt>, last: Attempt, maxAttempts: number): OrganizationState => {
  if (last.state === "creating" || last.state === "running") return "running"
  if (last.state === "exited" && last.exit_code === 0) return "succeeded"
  return isRetriable(attempts) && attempts.length < maxAttempts ? "retrying" : "failed"
}

/** `expected`: the organizations that should have run (from the list), so that one never started shows as `not run`. */
export const nightStatus = (
  night: string,
  attempts: ReadonlyArray<Attempt>,
  expected: ReadonlyArray<string>,
  maxAttempts: number
): NightStatus => {
  const byOrg = new Map<string, Array<Attempt>>()
  for (const attempt of attempts) byOrg.set(attempt.org, [...(byOrg.get(attempt.org) ?? []), attempt])
  const names = [...new Set([...expected, ...byOrg.keys()])].sort()
  const organizations = names.map((org): OrganizationStatus => {
    const own = byOrg.get(org) ?? []
    const last = own.at(-1)
    if (last === undefined) {
      return {
        org,
        state: "not run",
        exitCode: null,
        seconds: null,
        attempts: 0,
        machineId: null,
        message: null,
        contacts: null,
        emails: null,
        conflicts: 0
      }
    }
    const first = own[0]!
    return {
      org,
      state: stateOf(own, last, maxAttempts),
      exitCode: last.exit_code,
      seconds: last.finished_at === null ? null : Math.round((last.finished_at - first.started_at) / 1000),
      attempts: own.length,
      machineId: last.machine_id,
      message: last.message,
      contacts: last.contacts,
      emails: last.emails,
      conflicts: own.filter((attempt) => attempt.conflict === 1).length
    }
  })
  const summary: Record<OrganizationState, number> = { succeeded: 0, failed: 0, running: 0, retrying: 0, "not run": 0 }
  for (const organization of organizations) summary[organization.state]++
  return { night, organizations, summary }
}

const cell = (value: string | number | null) => (value === null ? "–" : String(value))

export const renderNightStatus = (status: NightStatus): string => {
  const header = [
    "organization",
    "state",
    "exit",
    "seconds",
    "contacts",
    "emails",
    "conflicts",
    "attempts",
    "machine",
    "message"
  ]
  const rows = status.organizations.map((o) => [
    o.org,
    o.state,
    cell(o.exitCode),
    cell(o.seconds),
    cell(o.contacts),
    cell(o.emails),
    String(o.conflicts),
    String(o.attempts),
    cell(o.machineId),
    cell(o.message)
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const line = (row: ReadonlyArray<string>) =>
    row
      .map((value, column) => (column === row.length - 1 ? value : value.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd()
  const { summary } = status
  return [
    `Night ${status.night}`,
    line(header),
    ...rows.map(line),
    "",
    `${summary.succeeded} succeeded, ${summary.failed} failed, ${summary.retrying} retrying, ${summary.running} running, ${summary["not run"]} not run`
  ].join("\n")
}

export const renderNightStatusHtml = (status: NightStatus, generatedAt: string): string => {
  const statusClass: Readonly<Record<OrganizationState, string>> = {
    succeeded: "status-completed",
    failed: "status-failed",
    "not run": "status-failed",
    retrying: "",
    running: ""
  }
  const rows = status.organizations
    .map(
      (o) =>
        `<tr><td>${escapeHtml(o.org)}</td><td class="${statusClass[o.state]}">${o.state}</td>` +
        `<td class="num">${cell(o.exitCode)}</td><td class="num">${cell(o.seconds)}</td>` +
        `<td class="num">${cell(o.contacts)}</td><td class="num">${cell(o.emails)}</td><td class="num">${o.conflicts}</td>` +
        `<td class="num">${o.attempts}</td>` +
        `<td>${escapeHtml(cell(o.machineId))}</td><td>${escapeHtml(cell(o.message))}</td></tr>`
    )
    .join("\n")
  const card = (label: string, value: number) => `<div class="card"><b>${value}</b>${label}</div>`
  const { summary } = status
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fleet · night ${status.night}</title><style>${REPORT_STYLE}</style></head><body>
<h1>Fleet · night ${status.night}</h1>
<p class="meta">Generated ${escapeHtml(generatedAt)} UTC by email-scheduler fleet.</p>
<div class="cards">${card("succeeded", summary.succeeded)}${card("failed", summary.failed)}${card("retrying", summary.retrying)}${card("running", summary.running)}${card("not run", summary["not run"])}</div>
<h2>Organizations</h2>
<table><thead><tr><th>organization</th><th>state</th><th class="num">exit</th><th class="num">seconds</th><th class="num">contacts</th><th class="num">emails</th><th class="num">conflicts</th><th class="num">attempts</th><th>machine</th><th>message</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`
}
