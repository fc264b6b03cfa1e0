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

/** The spec's definition written plainly, with JSON.stringify for every key and string. */
const reference = (value: unknown): string => {
  if (value === null || value === undefined) return "null"
  if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`
  if (typeof value !== "object") return JSON.stringify(value)
  return `{${Object.entries(value)
    .filter(([, field]) => field !== null && field !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, field]) => `${JSON.stringify(key)}:${reference(field)}`)
    .join(",")}}`
}

/** Any UTF-16 code unit: quotes, backslashes, control characters and lone surrogate halves included. */
const anyText = FastCheck.string({
  unit: FastCheck.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  maxLength: 8
})

const jsonValue = FastCheck.letrec((tie) => ({
  value: FastCheck.oneof(
    { depthSize: "small" },
    FastCheck.constantFrom(null, undefined, true, false),
    FastCheck.integer(),
    FastCheck.double({ noNaN: true, noDefaultInfinity: true }),
    anyText,
    FastCheck.array(tie("value"), { maxLength: 4 }),
    FastCheck.dictionary(
      FastCheck.oneof(anyText, FastCheck.constantFrom("0", "10", "2", "v", "date_rule")),
      tie("value"),
      {
        maxKeys: 6
      }
    )
  )
})).value

describe("canonical JSON against the spec's plain definition", () => {
  it.prop("gives the same text for any value, escapes and key orders included", [jsonValue], ([value]) => {
    assert.strictEqual(canonicalJson(value), reference(value))
  })

  it.prop(
    "sorts objects of any number of keys, on both sides of the insertion sort's limit",
    [FastCheck.dictionary(anyText, FastCheck.integer(), { minKeys: 20, maxKeys: 45 })],
    ([value]) => {
      assert.strictEqual(canonicalJson(value), reference(value))
    }
  )

  it("escapes what JSON escapes and copies the rest", () => {
    assert.strictEqual(
      canonicalJson({ 'a"b': 'q"\\\n\u0001', s: "\ud800x", p: "😀", plain: "2026-12-02" }),
      '{"a\\"b":"q\\"\\\\\\n\\u0001","p":"😀","plain":"2026-12-02","s":"\\ud800x"}'
    )
  })
})
