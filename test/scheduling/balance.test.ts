import { assert, describe, it } from "@effect/vitest"
import { toDayNumber } from "../../src/domain/dates.js"
import { BASELINE } from "../../src/rules/rulesets.js"
import { balancePlan, NO_DAY } from "../../src/scheduling/apply-balance.js"
import { balance, DAILY_CAP, stepNames } from "../../src/scheduling/balance.js"
import {
  BalanceContacts,
  BalanceItems,
  EmailTypeCodes,
  keyCode,
  NO_LATEST_DAY
} from "../../src/scheduling/balance-items.js"

interface ItemFields {
  readonly priority?: number
  readonly latestDay?: number
}

/** Items of type "aep" planned on day 100, one per contact, owned by contact index = position. */
const itemsOf = (rows: ReadonlyArray<readonly [contactId: number, fields?: ItemFields]>) => {
  const items = new BalanceItems()
  rows.forEach(([contactId, fields = {}], owner) => {
    items.push({
      contactId,
      typeCode: 0,
      plannedDay: 100,
      priority: fields.priority ?? 30,
      latestDay: fields.latestDay ?? NO_LATEST_DAY,
      eventYear: 2026,
      subjectToExclusions: true,
      owner
    })
  })
  return items
}

const types = { effectiveDate: undefined, ranks: Int32Array.of(0) }
const parameters = { today: 100, dailyCap: 1, threshold: 1, edSoftLimit: 100, edSmoothingWindowDays: 3 }
const anywhere = { isFree: () => true, onMove: () => undefined }

describe("load balancing (spec §10.5, §10.6)", () => {
  it("keeps the first rows by (priority, contact, type) and moves the rest to the first acceptable day", () => {
    const result = balance(itemsOf([[3], [1, { priority: 10 }], [2]]), types, parameters, anywhere)
    assert.deepStrictEqual([...result.days], [102, 100, 101])
    assert.deepStrictEqual(stepNames(result.steps[0]!), ["daily_cap"])
    assert.strictEqual(result.steps[1], 0)
    assert.strictEqual(result.moved, 2)
  })

  it("never moves a row past its latest date; it stays, even over the cap", () => {
    const result = balance(itemsOf([[1], [2, { latestDay: 100 }]]), types, parameters, anywhere)
    assert.deepStrictEqual([...result.days], [100, 100])
    assert.strictEqual(result.moved, 0)
  })

  it("skips days the destination test refuses (a window or a taken key)", () => {
    const refused = new Set([101, 102])
    const result = balance(itemsOf([[1], [2]]), types, parameters, {
      isFree: (_index: number, day: number) => !refused.has(day),
      onMove: () => undefined
    })
    assert.deepStrictEqual([...result.days], [100, 103])
    assert.strictEqual(result.steps[1], DAILY_CAP)
  })
})

describe("acceptable destinations and windows (spec §10.6)", () => {
  /** Contact 1 (CA, June 15 birthday: 2026-03-17 .. 2026-08-14 is its window) and contact 2 share a full day. */
  const destination = (options: { readonly subjectToExclusions: boolean; readonly takenDay?: string }) => {
    const day = toDayNumber("2026-03-16")
    const codes = new EmailTypeCodes()
    const campaign = codes.code("campaign_notice")
    const aep = codes.code("aep")
    const items = new BalanceItems()
    const contacts = new BalanceContacts()
    const taken = [
      keyCode(campaign, day),
      ...(options.takenDay ? [keyCode(campaign, toDayNumber(options.takenDay))] : [])
    ]
    const first = contacts.add(taken, { state: "CA", birthDay: toDayNumber("1958-06-15"), effectiveDay: NO_DAY })
    const second = contacts.add([keyCode(aep, day)], { state: undefined, birthDay: NO_DAY, effectiveDay: NO_DAY })
    const item = { plannedDay: day, latestDay: NO_LATEST_DAY, eventYear: 2026 }
    items.push({
      ...item,
      contactId: 1,
      typeCode: campaign,
      priority: 40,
      subjectToExclusions: options.subjectToExclusions,
      owner: first
    })
    items.push({ ...item, contactId: 2, typeCode: aep, priority: 10, subjectToExclusions: true, owner: second })
    const result = balancePlan(
      items,
      contacts,
      codes,
      { today: day, dailyCap: 1, threshold: 1, edSoftLimit: 10, edSmoothingWindowDays: 3 },
      { ruleset: BASELINE, defaultBuffer: 60, stateBuffers: {} }
    )
    return { day: result.days[0]!, key: contacts.keys.values[0]!, campaign }
  }

  it("a campaign that ignores windows may move into one", () => {
    assert.strictEqual(destination({ subjectToExclusions: false }).day, toDayNumber("2026-03-17"))
  })

  it("a row subject to exclusions moves past the window instead", () => {
    assert.strictEqual(destination({ subjectToExclusions: true }).day, toDayNumber("2026-08-15"))
  })

  it("a day whose key the contact already holds is not a destination, and the moved key follows the row", () => {
    const moved = destination({ subjectToExclusions: false, takenDay: "2026-03-17" })
    assert.strictEqual(moved.day, toDayNumber("2026-03-18"))
    assert.strictEqual(moved.key, keyCode(moved.campaign, toDayNumber("2026-03-18")))
  })
})
