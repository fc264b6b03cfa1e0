import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { hash30, jitter } from "../../src/rules/hash.js"

/** Spec §10.3's H written from its pseudo-code, over TextEncoder's bytes: what the fast path must equal. */
const specH = (input: string): number => {
  const bytes = new TextEncoder().encode(input)
  const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0
  const mix = (h: number, w: number) => {
    const word = Math.imul(rotl(Math.imul(w, 0xcc9e2d51) >>> 0, 15), 0x1b873593) >>> 0
    return (Math.imul(rotl((h ^ word) >>> 0, 13), 5) + 0xe6546b64) >>> 0
  }
  let h = 0
  let i = 0
  for (; i + 4 <= bytes.length; i += 4)
    h = mix(h, bytes[i]! + bytes[i + 1]! * 2 ** 8 + bytes[i + 2]! * 2 ** 16 + bytes[i + 3]! * 2 ** 24)
  if (i < bytes.length) h = mix(h, (bytes[i] ?? 0) + (bytes[i + 1] ?? 0) * 2 ** 8 + (bytes[i + 2] ?? 0) * 2 ** 16)
  h = (h ^ bytes.length) >>> 0
  h = Math.imul((h ^ (h >>> 16)) >>> 0, 0x85ebca6b) >>> 0
  h = Math.imul((h ^ (h >>> 13)) >>> 0, 0xc2b2ae35) >>> 0
  return ((h ^ (h >>> 16)) >>> 0) & 0x3fffffff
}

describe("jitter hash H (spec §10.3)", () => {
  it.prop(
    "equals the spec's pseudo-code on ASCII and on any Unicode text",
    [FastCheck.oneof(FastCheck.string(), FastCheck.string({ unit: "binary", maxLength: 80 }))],
    ([s]) => hash30(s) === specH(s)
  )

  const vectors: ReadonlyArray<readonly [string, number, ReadonlyArray<number> | undefined]> = [
    ["123-effective_date-2025", 391811656, [0, -1, 2, 0]],
    ["1-effective_date-2025", 727363878, [-1, 1, 0, 5]],
    ["42-effective_date-2026", 384234990, [-1, -2, 3, 2]],
    ["1001-effective_date-2025", 75159704, [1, 2, 1, -1]],
    ["", 0, undefined],
    ["a", 721651713, undefined],
    ["abcd", 65890154, undefined]
  ]
  for (const [input, expected, jitters] of vectors) {
    it(`H(${JSON.stringify(input)}) = ${expected}`, () => {
      assert.strictEqual(hash30(input), expected)
      if (jitters)
        assert.deepStrictEqual(
          [3, 5, 7, 10].map((w) => jitter(input, w)),
          jitters
        )
    })
  }

  it("matches the hashes quoted in the worked examples", () => {
    const quoted: ReadonlyArray<readonly [string, number]> = [
      ["18-birthday-2026", 381646942],
      ["19-effective_date-2026", 997901491],
      ["20-effective_date-2026", 818303382],
      ["32-campaign_renewal_reminder-2026", 17165626],
      ["41", 725651915],
      ["42", 57545385],
      ["43", 99459508],
      ["44", 182561673],
      ["41-campaign_newsletter-2026", 101237234],
      ["44-campaign_newsletter-2026", 1054909585],
      ["1-effective_date-2026", 8853050],
      ["8-effective_date-2026", 1047669810]
    ]
    for (const [input, expected] of quoted) assert.strictEqual(hash30(input), expected, input)
  })

  it("hashes multi-byte UTF-8 by its bytes", () => {
    assert.notStrictEqual(hash30("é"), hash30("e"))
  })

  it.prop(
    "stays within 30 bits and jitter within [−k, k]",
    [FastCheck.string(), FastCheck.integer({ min: 1, max: 31 })],
    ([s, w]) => {
      const h = hash30(s)
      const j = jitter(s, w)
      const k = Math.floor(w / 2)
      return Number.isInteger(h) && h >= 0 && h < 2 ** 30 && j >= -k && j <= k
    }
  )
})
