import { escapeHtml as esc, volumeChart } from "./chart.js"
import type { ReportData } from "./report-data.js"

const n = (value: number | null): string => (value === null ? "" : value.toLocaleString("en-US"))

const table = (id: string, header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, empty: string) =>
  rows.length === 0
    ? `<p class="empty" id="${id}">${esc(empty)}</p>`
    : `<table id="${id}"><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
        .map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join("")}</tr>`)
        .join("")}</tbody></table>`

const windowText = (rule: ReportData["rules"][number]["rules"][number], buffer: number): string => {
  if (rule.kind === "year_round") return "all year"
  const anchor = rule.useMonthStart
    ? "the first of the month"
    : rule.kind === "birthday"
      ? "the birthday"
      : "the anniversary"
  return `${rule.daysBefore + buffer} days before ${anchor} (rule ${rule.daysBefore} + buffer ${buffer}) to ${rule.daysAfter} days after`
}

/** The report's look, shared by the fleet's night page (fleet/status.ts). */
export const REPORT_STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1080px;color:#1b1f24;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a;margin:0 0 12px}.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:140px}.card b{display:block;font-size:20px}
table{border-collapse:collapse;width:100%;margin:4px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
td.num,th.num{text-align:right}th{background:#f6f8fa}.grid{stroke:#eaeef2}.axis{font-size:10px;fill:#57606a}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:6px 0 0 56px;font-size:12px}.swatch{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px}
.status-failed{color:#cf222e;font-weight:600}.status-completed{color:#1a7f37}.empty{color:#57606a;font-style:italic}
.two{display:grid;grid-template-columns:1fr 1fr;gap:24px}small{color:#57606a}
`

const num = (value: number | null) => `<span class="num">${n(value)}</span>`

/**
 * The compliance and volume report as one self-contained HTML file: inline CSS, an inline SVG chart, no script and
 * no network access. Numbers are plain text in table cells and data attributes, so a browser or a test reads them.
 */
export const renderReportHtml = (data: ReportData, generatedAt: string): string => {
  const planned = data.volume.reduce((sum, day) => sum + Object.values(day.byType).reduce((a, b) => a + b, 0), 0)
  const issues = Object.entries(data.contacts.issues)
  const invalid = [
    ...issues.map(([reason, { count, sample }]) => [esc(reason), num(count), esc(sample.slice(0, 10).join(", "))]),
    ...(data.contacts.malformed.count > 0
      ? [
          [
            "malformed_row",
            num(data.contacts.malformed.count),
            esc(
              data.contacts.malformed.sample
                .slice(0, 5)
                .map((m) => m.id ?? "?")
                .join(", ")
            )
          ]
        ]
      : [])
  ]
  const topReasons = (state: string) =>
    Object.entries(data.suppression.byStateAndReason[state] ?? {})
      .sort(([, a], [, b]) => b - a)
      .map(([reason, count]) => `${esc(reason)} ${n(count)}`)
      .join(", ")
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Email schedule report · ${esc(data.organization)} · ${data.today}</title><style>${REPORT_STYLE}</style></head>
<body>
<h1>Email schedule: compliance and volume</h1>
<p class="meta">${esc(data.organization)} · as of ${data.today} (${esc(data.timezone)}) · ruleset ${esc(data.ruleset)} · ${esc(data.zipDataset)} · generated ${esc(generatedAt)} UTC</p>
<div class="cards">
<div class="card">planned, next ${data.volume.length} days<b id="total-planned">${n(planned)}</b></div>
<div class="card">suppressed from today<b id="total-suppressed">${n(data.suppression.total)}</b></div>
<div class="card">contacts<b id="total-contacts">${n(data.contacts.total)}</b></div>
<div class="card">with a valid email<b>${n(data.contacts.withValidEmail)}</b></div>
</div>

<h2>Planned emails per day, next ${data.volume.length} days, by email type</h2>
${planned === 0 ? `<p class="empty">Nothing is planned in the next ${data.volume.length} days: run the scheduler first.</p>` : ""}
${volumeChart(data)}

<h2>Suppressed emails (dated today or later)</h2>
<div class="two">
<div><h3>By state</h3>${table(
    "suppressed-by-state",
    ["state", "emails", "reasons"],
    Object.entries(data.suppression.byState).map(([state, count]) => [
      esc(state),
      num(count),
      `<small>${topReasons(state)}</small>`
    ]),
    "Nothing is suppressed."
  )}</div>
<div><h3>By reason</h3>${table(
    "suppressed-by-reason",
    ["reason", "emails"],
    Object.entries(data.suppression.byReason).map(([reason, count]) => [esc(reason), num(count)]),
    "Nothing is suppressed."
  )}</div>
</div>

<h2>Rules in force on ${data.today}, by state</h2>
<p class="meta">The exclusion windows the scheduler applies (spec §4), with the source of each rule. Not legal advice: confirm with counsel.</p>
${table(
  "rules",
  ["state", "rule", "window", "source"],
  data.rules.flatMap((entry) =>
    entry.rules.map((rule) => [
      esc(entry.state),
      esc(rule.kind),
      esc(windowText(rule, entry.buffer)),
      `<small>${esc(rule.source)}</small>`
    ])
  ),
  "No state rules are in force."
)}

<h2>Invalid contacts, by reason</h2>
${table("invalid-contacts", ["reason", "contacts", "first ids"], invalid, "Every contact is valid.")}

<h2>Last runs</h2>
${table(
  "runs",
  [
    "run",
    "as of",
    "status",
    "started (UTC)",
    "finished",
    "contacts",
    "pre-scheduled",
    "skipped",
    "inserted / updated / deleted"
  ],
  data.runs.map((run) => [
    `<small>${esc(run.run_id)}</small>`,
    esc(run.as_of_date),
    `<span class="status-${esc(run.status)}">${esc(run.status)}</span>${run.error ? `<br><small>${esc(run.error)}</small>` : ""}`,
    esc(run.started_at),
    esc(run.finished_at ?? ""),
    num(run.contacts_total),
    num(run.emails_pre_scheduled),
    num(run.emails_skipped),
    `${n(run.rows_inserted)} / ${n(run.rows_updated)} / ${n(run.rows_deleted)}`
  ]),
  "No run yet."
)}
</body></html>
`
}
