import zipcodes from "zipcodes"
import zipcodesPackage from "zipcodes/package.json" with { type: "json" }

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
export const ZIP_DATASET = `zipcodes@${zipcodesPackage.version}`

const ZIP_FORMAT = /^(\d{5})(?:-\d{4}|\d{4})?$/

/** ZIP5 of a valid ZIP (5 digits, 5+4 with a dash, or 9 digits); undefined otherwise. */
export const zip5Of = (zip: string | null): string | undefined => {
  if (zip === null) return undefined
  return ZIP_FORMAT.exec(zip.trim())?.[1]
}

const zipStateCache = new Map<string, StateCode | null>()

/** State of a ZIP5 in the pinned dataset, when the dataset has one with a valid code. */
export const stateOfZip5 = (zip5: string): StateCode | undefined => {
  let state = zipStateCache.get(zip5)
  if (state === undefined) {
    const found = zipcodes.lookup(zip5)?.state
    state = found !== undefined && isStateCode(found) ? found : null
    zipStateCache.set(zip5, state)
  }
  return state ?? undefined
}

/** Every ZIP5 the dataset assigns to a state (used by the data generator). */
export const zip5sOfState = (state: StateCode): ReadonlyArray<string> =>
  (zipcodes.lookupByState(state) ?? [])
    .map((entry) => entry.zip)
    .filter((zip) => /^\d{5}$/.test(zip))
    .sort()
