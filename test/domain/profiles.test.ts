import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { detectProfile, loadParameters } from "../../src/rules/profiles.js"
import { resolveSettings } from "../../src/settings/resolve.js"

const settingsWith = (organization?: Record<string, unknown>) =>
  Either.getOrThrow(resolveSettings({ flags: {}, env: {}, organization, stateBuffers: [] })).settings

describe("size profiles and load parameters (spec §10.1, §10.2)", () => {
  it("auto-detects the profile from N", () => {
    assert.deepStrictEqual([9_999, 10_000, 99_999, 100_000, 499_999, 500_000].map(detectProfile), [
      "small",
      "medium",
      "medium",
      "large",
      "large",
      "enterprise"
    ])
  })

  it("E28: 100 contacts → cap 20, threshold 24, ED soft limit 6, W 3", () => {
    const p = loadParameters(settingsWith(), 100)
    assert.deepStrictEqual(
      [p.profile, p.dailyCap, p.threshold, p.edSoftLimit, p.edSmoothingWindowDays],
      ["small", 20, 24, 6, 3]
    )
  })

  it("E29: 31 contacts → cap 6, threshold 7; one contact → cap 1, threshold 1, soft limit 1", () => {
    const p = loadParameters(settingsWith(), 31)
    assert.deepStrictEqual([p.dailyCap, p.threshold], [6, 7])
    const one = loadParameters(settingsWith(), 1)
    assert.deepStrictEqual([one.dailyCap, one.threshold, one.edSoftLimit], [1, 1, 1])
  })

  it("E27: a cap of 1 is a fraction (100 %): 5 contacts → cap 5, threshold 6; 3 is a percentage (3 %)", () => {
    const p = loadParameters(settingsWith({ config_overrides: '{"daily_send_percentage_cap": 1}' }), 5)
    assert.deepStrictEqual([p.dailyCap, p.threshold], [5, 6])
    const percent = loadParameters(settingsWith({ config_overrides: '{"daily_send_percentage_cap": 3}' }), 1000)
    assert.strictEqual(percent.dailyCap, 30)
    const fraction = loadParameters(settingsWith({ config_overrides: '{"daily_send_percentage_cap": 0.03}' }), 1000)
    assert.strictEqual(fraction.dailyCap, 30)
  })

  it("uses the size_profile setting and overrides of its values", () => {
    const p = loadParameters(
      settingsWith({
        size_profile: "enterprise",
        config_overrides: '{"batch_size": 700, "ed_smoothing_window_days": 4}'
      }),
      50
    )
    assert.deepStrictEqual([p.profile, p.batchSize, p.edSmoothingWindowDays], ["enterprise", 700, 4])
  })
})
