import { ZIP_TABLE_DATASET } from "./zip/zip-state-table.js"
import { stateCodeOfZip5, zip5sOfStateCode } from "./zip/zip-states.js"

/** The 50 states, DC, the territories and the military codes (spec §3.4). */
export const STATE_CODES = [
  "AL",
  "AK",
  "AZ",
  "AR",
  "CA",
  "CO",
  "CT",
  "DE",
  "FL",
  "GA",
  "HI",
  "ID",
  "IL",
  "IN",
  "IA",
  "KS",
  "KY",
  "LA",
  "ME",
  "MD",
  "MA",
  "MI",
  "MN",
  "MS",
  "MO",
  "MT",
  "NE",
  "NV",
  "NH",
  "NJ",
  "NM",
  "NY",
  "NC",
  "ND",
  "OH",
  "OK",
  "OR",
  "PA",
  "RI",
  "SC",
  "SD",
  "TN",
  "TX",
  "UT",
  "VT",
  "VA",
  "WA",
  "WV",
  "WI",
  "WY",
  "DC",
  "AS",
  "GU",
  "MP",
  "PR",
  "VI",
  "AA",
  "AE",
  "AP"
] as const

export type StateCode = (typeof STATE_CODES)[number]

const STATE_SET: ReadonlySet<string> = new Set(STATE_CODES)

export const isStateCode = (value: string): value is StateCode => STATE_SET.has(value)

/** Written into every checkpoint so a plan can be traced to the ZIP data it used (spec §3.4). */
export const ZIP_DATASET = ZIP_TABLE_DATASET

const ZIP_FORMAT = /^(\d{5})(?:-\d{4}|\d{4})?$/

/** ZIP5 of a valid ZIP (5 digits, 5+4 with a dash, or 9 digits); undefined otherwise. */
export const zip5Of = (zip: string | null): string | undefined => {
  if (zip === null) return undefined
  return ZIP_FORMAT.exec(zip.trim())?.[1]
}

/** State of a ZIP5 in the pinned dataset, when the dataset has one with a valid code. */
export const stateOfZip5 = (zip5: string): StateCode | undefined => {
  const state = stateCodeOfZip5(zip5)
  return state !== undefined && isStateCode(state) ? state : undefined
}

/** Every ZIP5 the dataset assigns to a state (used by the data generator). */
export const zip5sOfState = (state: StateCode): ReadonlyArray<string> => zip5sOfStateCode(state)
