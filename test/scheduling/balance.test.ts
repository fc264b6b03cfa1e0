import { assert, describe, it } from "@effect/vitest"
import { toDayNumber } from "../../src/domain/dates.js"
import { BASELINE } from "../../src/rules/rulesets.js"
import { balancePlan } from "../../src/scheduling/apply-balance.js"
import { type BalanceItem, balance } from "../../src/scheduling/balance.js"
import type { BalanceInput } from "../../src/scheduling/load-plan.js"
import type { PlanRecord } from "../../src/scheduling/records.js"

const item = (contactId: number, fields: Partial<BalanceItem> = {}): BalanceItem => ({
  contactId,
  emailType: "aep",
  plannedDay: 100,
  priority: 30,
  latestDay: undefined,
  eventYear: 2026,
  subjectToExclusions: true,
  ...fields
})

const parameters = { today: 100, dailyCap: 1, threshold: 1, edSoftLimit: 100, edSmoothingWindowDays: 3 }

describe("load balancing (spec §10.5, §10.6)", () => {
  it("keeps the first rows by (priority, contact, type) and moves the rest to the first acceptable day", () => {
    const items = [item(3), item(1, { priority: 10 }), item(2)]
    const { days, moves } = balance(items, parameters, { isFree: () => true, onMove: () => undefined })
    assert.deepStrictEqual([...days], [102, 100, 101])
    assert.deepStrictEqual(moves.get(0)?.steps, ["daily_cap"])
    assert.isFalse(moves.has(1))
  })

  it("never moves a row past its latest date; it stays, even over the cap", () => {
    const items = [item(1), item(2, { latestDay: 100 })]
    const { days } = balance(items, parameters, { isFree: () => true, onMove: () => undefined })
    assert.deepStrictEqual([...days], [100, 100])
  })

  it("skips days the destination test refuses (a window or a taken key)", () => {
    const items = [item(1), item(2)]
    const refused = new Set([101, 102])
    const { days } = balance(items, parameters, { isFree: (_, day) => !refused.has(day), onMove: () => undefined })
    assert.deepStrictEqual([...days], [100, 103])
  })
})

describe("acceptable destinations and windows (spec §10.6)", () => {
  const plan = (subjectToExclusions: boolean) => {
    const day = toDayNumber("2026-03-16")
    const record = (contactId: number, emailType: string, priority: number): PlanRecord => ({
      contactId,
      emailType,
      date: "2026-03-16",
      time: "08:30:00",
      status: "pre-scheduled",
      skipReason: null,
      priority,
      campaignInstanceId: null,
      emailTemplate: null,
      smsTemplate: null,
      eventYear: null,
      eventMonth: null,
      eventDay: null,
      metadata: '{"v":1}'
    })
    const records = [record(1, "campaign_notice", 40), record(2, "aep", 10)]
    const input: BalanceInput = {
      items: records.map((r) => ({
        contactId: r.contactId,
        emailType: r.emailType,
        plannedDay: day,
        priority: r.priority,
        latestDay: undefined,
        eventYear: 2026,
        subjectToExclusions: r.contactId === 1 ? subjectToExclusions : true
      })),
      recordIndex: [0, 1],
      // Contact 1 is in CA with a June 15 birthday: 2026-03-17 .. 2026-08-14 is its window.
      subjects: new Map([[1, { state: "CA" as const, birthDate: "1958-06-15", effectiveDate: undefined }]]),
      taken: new Map(),
      keyCode: (type: string, d: number) => (type === "aep" ? 0 : 1_000_000) + d
    }
    balancePlan(
      records,
      input,
      { today: day, dailyCap: 1, threshold: 1, edSoftLimit: 10, edSmoothingWindowDays: 3 },
      {
        ruleset: BASELINE,
        defaultBuffer: 60,
        stateBuffers: {}
      }
    )
    return records[0]!.date
  }

  it("a campaign that ignores windows may move into one", () => {
    assert.strictEqual(plan(false), "2026-03-17")
  })

  it("a row subject to exclusions moves past the window instead", () => {
    assert.strictEqual(plan(true), "2026-08-15")
  })
})
