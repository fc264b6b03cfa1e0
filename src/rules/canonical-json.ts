const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Canonical JSON (spec §14.2): keys sorted by code point at every level, no white space, null and undefined values
 * omitted. Equal explanations always give equal text, so metadata can be compared as text (spec §12.3).
 * Written as plain loops: a large run serialises tens of millions of values.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || value === undefined) return "null"
  if (typeof value !== "object") return JSON.stringify(value)
  if (Array.isArray(value)) {
    let text = "["
    for (let i = 0; i < value.length; i++) text += (i === 0 ? "" : ",") + canonicalJson(value[i])
    return `${text}]`
  }
  const record = value as Readonly<Record<string, unknown>>
  const keys = Object.keys(record).sort(byCodePoint)
  let text = "{"
  let first = true
  for (const key of keys) {
    const field = record[key]
    if (field === null || field === undefined) continue
    text += `${first ? "" : ","}${JSON.stringify(key)}:${canonicalJson(field)}`
    first = false
  }
  return `${text}}`
}
