import type { CountChange, PreviewComparison } from "../preview/compare.js"
import type { Counts, Preview } from "../preview/simulate.js"

const n = (value: number): string => value.toLocaleString("en-US")

/** A plain text table: the first column left-aligned, the others right-aligned. */
export const textTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join("  ")
      .trimEnd()
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n")
}

const keysOf = (all: ReadonlyArray<Counts>): Array<string> => [...new Set(all.flatMap((c) => Object.keys(c)))].sort()

const countsTable = (title: string, counts: Counts): string =>
  textTable(
    [title, "emails"],
    Object.entries(counts)
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .map(([key, value]) => [key, n(value)])
  )

/** The preview for a terminal: the day-by-day table by type, then by state, and the suppressed emails by reason. */
export const renderPreview = (preview: Preview): string => {
  const types = keysOf(preview.days.map((day) => day.sent.byType))
  const states = keysOf(preview.days.map((day) => day.sent.byState))
  const settings = Object.entries(preview.flags)
  return [
    `What-if preview ${preview.from} to ${preview.to}: the nightly run of each day, then a sender that sends what is due` +
      " (nothing was written to the database).",
    settings.length > 0 ? `Settings changed: ${settings.map(([k, v]) => `${k} = ${v}`).join(", ")}` : "",
    "",
    "Sent per day, by email type",
    textTable(
      ["date", "sent", ...types, "suppressed"],
      preview.days.map((day) => [
        day.date,
        n(day.sent.total),
        ...types.map((type) => n(day.sent.byType[type] ?? 0)),
        n(day.suppressed.total)
      ])
    ),
    "",
    "Sent per day, by state",
    textTable(
      ["date", ...states],
      preview.days.map((day) => [day.date, ...states.map((state) => n(day.sent.byState[state] ?? 0))])
    ),
    "",
    `Totals: ${n(preview.totals.sent)} sent, ${n(preview.totals.suppressed)} suppressed`,
    countsTable("sent by type", preview.totals.sentByType),
    "",
    countsTable("suppressed by reason", preview.totals.suppressedByReason)
  ]
    .filter((line, index, all) => line !== "" || all[index - 1] !== "")
    .join("\n")
}

const signed = (change: CountChange) => {
  const delta = change.proposed - change.current
  return `${delta > 0 ? "+" : ""}${n(delta)}`
}

const changeTable = (title: string, changes: ReadonlyArray<CountChange>): string =>
  changes.length === 0
    ? `${title}: no change`
    : textTable(
        [title, "current", "proposed", "change"],
        changes.map((c) => [c.key, n(c.current), n(c.proposed), signed(c)])
      )

/** `--compare`: what the changed settings would change over the range. */
export const renderComparison = (comparison: PreviewComparison): string => {
  const { totals } = comparison
  const settings = Object.entries(comparison.flags)
    .map(([k, v]) => `${k} = ${v}`)
    .join(", ")
  return [
    `Compared with the current settings (${settings || "no change"}):`,
    changeTable("totals", [totals.sent, totals.suppressed]),
    "",
    changeTable("sent by type", totals.sentByType),
    "",
    changeTable("sent by state", totals.sentByState),
    "",
    changeTable("suppressed by reason", totals.suppressedByReason),
    "",
    comparison.days.length === 0
      ? "Every day is the same."
      : [
          "What changes, day by day:",
          ...comparison.days.map(
            (day) =>
              `  ${day.date}: ${[...day.sent, ...day.suppressed.map((c) => ({ ...c, key: `suppressed ${c.key}` }))]
                .map((c) => `${c.key} ${n(c.current)}→${n(c.proposed)}`)
                .join(", ")}`
          )
        ].join("\n")
  ].join("\n")
}
