/**
 * ZIP5 → state from the compact table generated from the pinned `zipcodes` package (zip-state-table.ts), decoded once
 * into one byte per possible ZIP5: a lookup is an array read, and start-up skips loading the package's 44,000 entries.
 */
import { ZIP_GAPS_BY_STATE } from "./zip-state-table.js"

/** Ascending ZIP5 numbers of one state's entry in the table. */
const decodeGaps = (gaps: string): ReadonlyArray<number> => {
  const zips: Array<number> = []
  let zip = 0
  for (const gap of gaps.split(",")) {
    zip += Number.parseInt(gap, 36)
    zips.push(zip)
  }
  return zips
}

const TABLE_STATES = Object.keys(ZIP_GAPS_BY_STATE)

let stateIndexByZip: Uint8Array | undefined

/** Byte z holds 1 + the index in TABLE_STATES of ZIP5 z's state, or 0 when the dataset has no such ZIP5. */
const zipIndex = (): Uint8Array => {
  if (stateIndexByZip !== undefined) return stateIndexByZip
  const index = new Uint8Array(100_000)
  TABLE_STATES.forEach((state, position) => {
    for (const zip of decodeGaps(ZIP_GAPS_BY_STATE[state] ?? "")) index[zip] = position + 1
  })
  stateIndexByZip = index
  return index
}

/** The state the dataset gives a ZIP5 ("35004"), or undefined when it has none of ours. */
export const stateCodeOfZip5 = (zip5: string): string | undefined => {
  const position = zipIndex()[Number(zip5)] ?? 0
  return position === 0 ? undefined : TABLE_STATES[position - 1]
}

/** A state's ZIP5s in the dataset, ascending. */
export const zip5sOfStateCode = (state: string): ReadonlyArray<string> => {
  const gaps = ZIP_GAPS_BY_STATE[state]
  return gaps === undefined ? [] : decodeGaps(gaps).map((zip) => String(zip).padStart(5, "0"))
}
