import { assert, describe, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { BASELINE, type StateRule } from "../../src/rules/rulesets.js"
import { SETTING_NAMES, SETTINGS, SettingsSchema } from "../../src/settings/definitions.js"
import { resolveSettings, type SettingsSources, windowSpanProblems } from "../../src/settings/resolve.js"

const resolve = (sources: Partial<SettingsSources>) =>
  resolveSettings({ flags: {}, env: {}, organization: undefined, stateBuffers: [], ...sources })
const ok = (sources: Partial<SettingsSources>) => Either.getOrThrow(resolve(sources))
const problems = (sources: Partial<SettingsSources>): ReadonlyArray<string> =>
  Either.match(resolve(sources), { onLeft: (e) => e.problems, onRight: () => [] })

describe("settings precedence (spec §13.1)", () => {
  it("flag > environment > organizations column > default", () => {
    const all = ok({
      flags: { pre_exclusion_buffer_days: "45" },
      env: { pre_exclusion_buffer_days: "50", birthday_days_before: "20" },
      organization: { pre_exclusion_buffer_days: 55, birthday_days_before: 21, effective_date_days_before: 25 }
    })
    assert.strictEqual(all.settings.pre_exclusion_buffer_days, 45)
    assert.strictEqual(all.sources.pre_exclusion_buffer_days, "flag")
    assert.strictEqual(all.settings.birthday_days_before, 20)
    assert.strictEqual(all.sources.birthday_days_before, "env")
    assert.strictEqual(all.settings.effective_date_days_before, 25)
    assert.strictEqual(all.sources.effective_date_days_before, "organization")
    assert.strictEqual(all.settings.max_emails_per_period, 3)
    assert.strictEqual(all.sources.max_emails_per_period, "default")
  })

  it("a NULL column and an empty variable mean 'not set'", () => {
    const resolved = ok({ env: { catch_up_spread_days: "" }, organization: { catch_up_spread_days: null } })
    assert.strictEqual(resolved.settings.catch_up_spread_days, 7)
    assert.strictEqual(resolved.sources.catch_up_spread_days, "default")
  })

  it("booleans accept 1/0/true/false from flags, variables and columns", () => {
    const resolved = ok({
      flags: { aep_enabled: "FALSE" },
      env: { enable_post_window_emails: "0" },
      organization: { exclude_failed_underwriting_global: 1, send_without_zipcode_for_universal: "false" }
    })
    assert.deepStrictEqual(
      [
        resolved.settings.aep_enabled,
        resolved.settings.enable_post_window_emails,
        resolved.settings.exclude_failed_underwriting_global,
        resolved.settings.send_without_zipcode_for_universal
      ],
      [false, false, true, false]
    )
  })

  it("defaults everything and records org_row_missing when there is no organization row", () => {
    const resolved = ok({})
    assert.isTrue(resolved.organizationRowMissing)
    assert.strictEqual(resolved.settings.timezone, "America/Chicago")
    assert.strictEqual(resolved.settings.ruleset, "baseline")
    assert.strictEqual(resolved.settings.size_profile, undefined)
    assert.strictEqual(resolved.settings.overage_threshold_hundredths, 120)
    assert.strictEqual(resolved.settings.ed_share_of_daily_cap_hundredths, 30)
    assert.deepStrictEqual(resolved.changed, [])
  })

  it("profile values come from config_overrides below flags and variables; bad keys and types are warnings", () => {
    const resolved = ok({
      flags: { batch_size: "250" },
      organization: {
        config_overrides:
          '{"batch_size": 900, "ed_daily_soft_limit": 12, "ed_smoothing_window_days": "5", "colour": "blue", "daily_send_percentage_cap": 0.05}'
      }
    })
    assert.strictEqual(resolved.settings.batch_size, 250)
    assert.strictEqual(resolved.settings.ed_daily_soft_limit, 12)
    assert.strictEqual(resolved.sources.ed_daily_soft_limit, "config_overrides")
    assert.strictEqual(resolved.settings.ed_smoothing_window_days, undefined)
    assert.strictEqual(resolved.settings.daily_cap_basis_points, 500)
    assert.strictEqual(resolved.warnings.length, 2)
    assert.match(resolved.warnings.join("\n"), /colour/)
    assert.match(resolved.warnings.join("\n"), /ed_smoothing_window_days/)
  })

  it("invalid JSON in config_overrides means no overrides, with a warning", () => {
    const resolved = ok({ organization: { config_overrides: "{batch_size: 5" } })
    assert.strictEqual(resolved.settings.batch_size, undefined)
    assert.strictEqual(resolved.warnings.length, 1)
  })

  it("reads per-state buffers", () => {
    assert.deepStrictEqual(ok({ stateBuffers: [{ state: "OK", days: 0 }] }).stateBuffers, { OK: 0 })
  })
})

describe("settings validation (spec §13.3)", () => {
  it("reports every problem at once", () => {
    const found = problems({
      flags: { timezone: "Mars/Olympus", max_emails_per_period: "0", send_time_hour: "24" },
      env: { frequency_period_days: "366", catch_up_spread_days: "61" },
      organization: {
        ruleset: "statutes-2030",
        aep_month: 2,
        aep_day: 29,
        overage_threshold: 0.99,
        size_profile: "huge"
      }
    })
    const expected = [
      /timezone/,
      /max_emails_per_period/,
      /send_time_hour/,
      /frequency_period_days/,
      /catch_up_spread_days/,
      /ruleset/,
      /aep_month and aep_day/,
      /overage_threshold/,
      /size_profile/
    ]
    assert.strictEqual(found.length, expected.length, found.join("\n"))
    for (const pattern of expected)
      assert.isTrue(
        found.some((p) => pattern.test(p)),
        String(pattern)
      )
  })

  it("names the source of an unreadable value", () => {
    assert.deepStrictEqual(problems({ flags: { birthday_days_before: "two weeks" } }), [
      'birthday_days_before from --birthday-days-before: "two weeks" is not a whole number'
    ])
    assert.deepStrictEqual(problems({ env: { aep_enabled: "yes" } }), [
      'aep_enabled from SCHEDULER_AEP_ENABLED: "yes" is not one of 1, 0, true, false'
    ])
    assert.match(
      problems({ organization: { max_emails_per_period: 2.5 } })[0] ?? "",
      /organizations.max_emails_per_period/
    )
  })

  const boundaries: ReadonlyArray<readonly [string, string, boolean]> = [
    ["pre_exclusion_buffer_days", "180", true],
    ["pre_exclusion_buffer_days", "181", false],
    ["pre_exclusion_buffer_days", "-1", false],
    ["birthday_days_before", "0", true],
    ["effective_date_days_before", "181", false],
    ["effective_date_first_email_months", "120", true],
    ["effective_date_first_email_months", "121", false],
    ["followup_lookback_days", "365", true],
    ["followup_delay_days", "61", false],
    ["send_time_minute", "59", true],
    ["send_time_minute", "60", false],
    ["daily_send_percentage_cap", "100", true],
    ["daily_send_percentage_cap", "100.5", false],
    ["daily_send_percentage_cap", "0", false],
    ["ed_daily_soft_limit", "0", false],
    ["ed_smoothing_window_days", "31", true],
    ["ed_smoothing_window_days", "32", false],
    ["batch_size", "0", false],
    ["overage_threshold", "1.00", true],
    ["ed_share_of_daily_cap", "1", true],
    ["ed_share_of_daily_cap", "1.01", false],
    ["aep_priority", "1000", true],
    ["post_window_priority", "1001", false]
  ]
  for (const [name, value, valid] of boundaries) {
    it(`${name} = ${value} is ${valid ? "valid" : "invalid"}`, () => {
      assert.strictEqual(
        problems({ flags: { [name]: value } }).length === 0,
        valid,
        problems({ flags: { [name]: value } }).join()
      )
    })
  }

  it("rejects Feb 29 as the AEP date and accepts other real dates", () => {
    assert.strictEqual(problems({ flags: { aep_month: "2", aep_day: "29" } }).length, 1)
    assert.strictEqual(problems({ flags: { aep_month: "12", aep_day: "31" } }).length, 0)
    assert.strictEqual(problems({ flags: { aep_month: "4", aep_day: "31" } }).length, 1)
  })

  it("checks the format and range of per-state buffers", () => {
    assert.match(problems({ stateBuffers: [{ state: "ca", days: 10 }] }).join(), /two capital letters/)
    assert.strictEqual(problems({ stateBuffers: [{ state: "CA", days: 181 }] }).length, 1)
    assert.deepStrictEqual(
      problems({ stateBuffers: [{ state: "CA", days: 180 }], flags: { ruleset: "statutes-2026" } }),
      []
    )
  })

  it("keeps every window within one year: days_before + buffer + days_after ≤ 364, with the applicable buffer", () => {
    // The shipped rules cannot exceed 364 within the buffer range (at most 30 + 180 + 63), so a wider rule is used.
    const wide: StateRule = { ...BASELINE.rules[0]!, id: "test:CA:birthday:1", daysBefore: 100, daysAfter: 100 }
    assert.deepStrictEqual(windowSpanProblems([wide], {}, 164), [])
    assert.strictEqual(windowSpanProblems([wide], {}, 165).length, 1)
    assert.strictEqual(windowSpanProblems([wide], { CA: 165 }, 0).length, 1, "the state buffer replaces the default")
    assert.deepStrictEqual(windowSpanProblems([wide], { CA: 0 }, 180), [])
    const yearRound = BASELINE.rules.find((rule) => rule.kind === "year_round")!
    assert.deepStrictEqual(windowSpanProblems([yearRound], {}, 180), [], "year-round rules have no window")
  })
})

describe("the ranges --help shows are the ranges validation applies (issue 15)", () => {
  const ranged = SETTING_NAMES.flatMap((name) => {
    const range = SETTINGS[name].range
    return range === undefined ? [] : [{ name, range, step: SETTINGS[name].kind === "real" ? 0.01 : 1 }]
  })

  it("every number setting has a range, and its bounds are accepted while one step beyond is refused", () => {
    const numbers = SETTING_NAMES.filter((name) => ["int", "real"].includes(SETTINGS[name].kind))
    const unranged = numbers.filter((name) => SETTINGS[name].range === undefined)
    assert.deepStrictEqual(unranged, ["daily_send_percentage_cap"], "the cap's range is in words: percent or fraction")
    for (const { name, range, step } of ranged) {
      // aep_day 31 needs a month that has one.
      const flags = (value: number) => ({ [name]: String(value), ...(name === "aep_day" ? { aep_month: "1" } : {}) })
      assert.deepStrictEqual(problems({ flags: flags(range.min) }), [], `${name} = ${range.min}`)
      assert.strictEqual(problems({ flags: flags(range.min - step) }).length, 1, `${name} = ${range.min - step}`)
      if (range.max !== undefined) {
        assert.deepStrictEqual(problems({ flags: flags(range.max) }), [], `${name} = ${range.max}`)
        assert.strictEqual(problems({ flags: flags(range.max + step) }).length, 1, `${name} = ${range.max + step}`)
      }
    }
  })

  it("the settings Schema is the same table: each field's own filters accept the bounds and refuse one step beyond", () => {
    assert.deepStrictEqual(Object.keys(SettingsSchema.fields), [...SETTING_NAMES])
    for (const { name, range, step } of ranged) {
      const fieldSchema: Schema.Schema.AnyNoContext = SettingsSchema.fields[name]
      const accepts = Schema.is(fieldSchema)
      assert.isTrue(accepts(range.min), `${name} = ${range.min}`)
      assert.isFalse(accepts(range.min - step), `${name} = ${range.min - step}`)
      if (range.max !== undefined) {
        assert.isTrue(accepts(range.max), `${name} = ${range.max}`)
        assert.isFalse(accepts(range.max + step), `${name} = ${range.max + step}`)
      }
    }
    assert.isTrue(Schema.is(SettingsSchema.fields.ruleset)("statutes-2026"))
    assert.isFalse(Schema.is(SettingsSchema.fields.ruleset)("statutes-2025"))
  })
})
