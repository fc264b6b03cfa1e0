import type { ReportData } from "./report-data.js"

/** Colour-blind-friendly palette (Okabe–Ito, then Tableau); cycles when there are more types. */
const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
  "#000000",
  "#4E79A7",
  "#F28E2B",
  "#76B7B2",
  "#B07AA1",
  "#9C755F",
  "#BAB0AC"
]

export const colorOf = (types: ReadonlyArray<string>, type: string): string =>
  PALETTE[types.indexOf(type) % PALETTE.length] ?? "#888888"

export const escapeHtml = (text: string): string =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;")

/** A round axis maximum (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten), at least the largest total. */
const niceMax = (value: number): number => {
  if (value <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  return (
    [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * power).find((candidate) => candidate >= value) ?? 10 * power
  )
}

/**
 * The planned daily volume as an SVG stacked bar chart, one bar per day, one segment per email type, in the order of
 * the legend. Every segment carries its date, type and count (and a tooltip), so the numbers can be read back.
 */
export const volumeChart = (data: Pick<ReportData, "volume" | "emailTypes">): string => {
  const width = 1000
  const height = 340
  const margin = { top: 16, right: 12, bottom: 56, left: 56 }
  const plotWidth = width - margin.left - margin.right
  const plotHeight = height - margin.top - margin.bottom
  const totals = data.volume.map((day) => Object.values(day.byType).reduce((a, b) => a + b, 0))
  const max = niceMax(Math.max(0, ...totals))
  const step = plotWidth / Math.max(1, data.volume.length)
  const barWidth = Math.max(1, step * 0.8)
  const y = (value: number) => margin.top + plotHeight - (value / max) * plotHeight
  const parts: Array<string> = []
  for (let tick = 0; tick <= 4; tick++) {
    const value = (max * tick) / 4
    parts.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(value)}" y2="${y(value)}" class="grid"/>`,
      `<text x="${margin.left - 6}" y="${y(value) + 4}" text-anchor="end" class="axis">${value.toLocaleString("en-US", { maximumFractionDigits: 1 })}</text>`
    )
  }
  data.volume.forEach((day, index) => {
    const x = margin.left + index * step + (step - barWidth) / 2
    let base = 0
    const segments: Array<string> = []
    for (const type of data.emailTypes) {
      const count = day.byType[type] ?? 0
      if (count === 0) continue
      const top = y(base + count)
      segments.push(
        `<rect class="segment" data-date="${day.date}" data-type="${escapeHtml(type)}" data-count="${count}" x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(base) - top).toFixed(1)}" fill="${colorOf(data.emailTypes, type)}"><title>${day.date} · ${escapeHtml(type)}: ${count.toLocaleString("en-US")}</title></rect>`
      )
      base += count
    }
    parts.push(`<g class="day" data-date="${day.date}" data-total="${totals[index]}">${segments.join("")}</g>`)
    if (index % 7 === 0) {
      const labelX = x + barWidth / 2
      parts.push(
        `<text x="${labelX.toFixed(1)}" y="${height - margin.bottom + 14}" text-anchor="end" transform="rotate(-40 ${labelX.toFixed(1)} ${height - margin.bottom + 14})" class="axis">${day.date}</text>`
      )
    }
  })
  const legend = data.emailTypes
    .map(
      (type) =>
        `<span class="legend-item"><span class="swatch" style="background:${colorOf(data.emailTypes, type)}"></span>${escapeHtml(type)}</span>`
    )
    .join("")
  return `<svg id="volume-chart" role="img" aria-label="Planned emails per day for the next ${data.volume.length} days, stacked by email type" viewBox="0 0 ${width} ${height}" width="100%">${parts.join("")}</svg><div class="legend">${legend}</div>`
}
