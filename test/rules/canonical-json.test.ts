import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { canonicalJson } from "../../src/rules/canonical-json.js"

describe("canonical JSON (spec §14.2)", () => {
  it("sorts keys at every level, omits nulls, has no white space", () => {
    assert.strictEqual(
      canonicalJson({ v: 1, b: { z: 1, a: null, m: [3, { y: 2, x: undefined, c: "t" }] }, a: "x", n: null }),
      '{"a":"x","b":{"m":[3,{"c":"t","y":2}],"z":1},"v":1}'
    )
  })

  it.prop(
    "equal objects give equal text whatever their key order, and the text parses back",
    [
      FastCheck.dictionary(FastCheck.string({ maxLength: 5 }), FastCheck.oneof(FastCheck.integer(), FastCheck.string()))
    ],
    ([object]) => {
      const reversed = Object.fromEntries(Object.entries(object).reverse())
      return (
        canonicalJson(object) === canonicalJson(reversed) &&
        canonicalJson(JSON.parse(canonicalJson(object))) === canonicalJson(object)
      )
    }
  )
})
