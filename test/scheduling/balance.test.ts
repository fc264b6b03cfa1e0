import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { balancePlan, NO_DAY } from "../../src/balance/apply-balance.js"
import { type BalanceParameters, balance } from "../../src/balance/balance.js"
import {
  BalanceContacts,
  BalanceItems,
  EmailTypeCodes,
  IntList,
  keyCode,
  NO_HELD_DAY,
  NO_LATEST_DAY
} from "../../src/balance/balance-items.js"
import { dateFromDayNumber, toDayNumber } from "../../src/domain/dates.js"
import type { StateCode } from "../../src/domain/states.js"
import { DAILY_CAP, stepNames } from "../../src/plan/move-steps.js"
import { BASELINE } from "../../src/rules/rulesets.js"
import { exclusionAt } from "../../src/rules/windows.js"
import { type BalanceItem as ReferenceItem, balance as referenceBalance } from "../support/reference/balance.js"

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

describe("a day that receives several cascaded runs", () => {
  it("merges them all in the cap's order before keeping and passing on rows", () => {
    // Day 100 keeps item 0; item 1 may not go to 101, so it goes to 102, item 2 to 101. Day 101 keeps item 3 and sends
    // 5 and 2 on: day 102 receives the runs [1] and [5, 2] besides its own item 4, and keeps 5 (the lowest priority).
    const rows: ReadonlyArray<readonly [day: number, priority: number]> = [
      [100, 10],
      [100, 20],
      [100, 30],
      [101, 1],
      [102, 50],
      [101, 12]
    ]
    const items = new BalanceItems()
    rows.forEach(([day, priority], owner) => {
      items.push({
        contactId: owner + 1,
        typeCode: 0,
        plannedDay: day,
        priority,
        latestDay: NO_LATEST_DAY,
        eventYear: 2026,
        subjectToExclusions: false,
        owner
      })
    })
    const result = balance(
      items,
      types,
      { today: 100, dailyCap: 1, threshold: 1, edSoftLimit: 1000, edSmoothingWindowDays: 3 },
      { isFree: (index, day) => !(index === 1 && day === 101), onMove: () => undefined }
    )
    assert.deepStrictEqual([...result.days], [100, 103, 104, 101, 105, 102])
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

describe("balancePlan's window test against exclusionAt on every day (property)", () => {
  // Rows of contacts in rule states cascade at a cap of one a day across their birthday and effective-date windows:
  // balancePlan remembers each contact's last clear run of days, and must refuse exactly the days exclusionAt refuses.
  const contact = FastCheck.record({
    state: FastCheck.constantFrom("CA", "MO", "NV", "OR", "TX", "NY"),
    birth: FastCheck.integer({ min: toDayNumber("1950-01-01"), max: toDayNumber("1950-12-31") }),
    effective: FastCheck.option(FastCheck.integer({ min: toDayNumber("2015-01-01"), max: toDayNumber("2015-12-31") }), {
      nil: undefined
    }),
    rows: FastCheck.integer({ min: 1, max: 3 }),
    subject: FastCheck.boolean()
  })
  it.prop(
    "gives every row the day a plain per-day window test gives it",
    [FastCheck.array(contact, { minLength: 1, maxLength: 12 }), FastCheck.integer({ min: 0, max: 300 })],
    ([people, offset]) => {
      const today = toDayNumber("2026-01-01") + offset
      const exclusion = { ruleset: BASELINE, defaultBuffer: 30, stateBuffers: {} }
      const codes = new EmailTypeCodes()
      const typeCodes = [codes.code("aep"), codes.code("birthday"), codes.code("campaign_blast")]
      const build = () => {
        const items = new BalanceItems()
        const contacts = new BalanceContacts()
        people.forEach((person, index) => {
          const keys = typeCodes.slice(0, person.rows).map((type) => keyCode(type, today))
          const owner = contacts.add(keys, {
            state: person.state,
            birthDay: person.birth,
            effectiveDay: person.effective ?? NO_DAY
          })
          for (const type of typeCodes.slice(0, person.rows)) {
            items.push({
              contactId: index + 1,
              typeCode: type,
              plannedDay: today,
              priority: 30,
              latestDay: NO_LATEST_DAY,
              eventYear: 2026,
              subjectToExclusions: person.subject,
              owner
            })
          }
        })
        return { items, contacts }
      }
      const parameters = { today, dailyCap: 1, threshold: 1, edSoftLimit: 100, edSmoothingWindowDays: 3 }
      const cached = build()
      const result = balancePlan(cached.items, cached.contacts, codes, parameters, exclusion)
      const plain = build()
      const taken = (index: number, day: number) => {
        const owner = plain.items.owner[index]!
        const start = plain.contacts.keysStart.values[owner]!
        const key = keyCode(plain.items.typeCode[index]!, day)
        for (let k = start; k < plain.contacts.keysEnd(owner); k++) if (plain.contacts.keys.values[k] === key) return k
        return -1
      }
      const excluded = (index: number, day: number) => {
        const person = people[plain.items.contactId[index]! - 1]!
        return (
          person.subject &&
          exclusionAt(
            exclusion,
            {
              state: person.state as StateCode,
              birthDate: dateFromDayNumber(person.birth),
              effectiveDate: person.effective === undefined ? undefined : dateFromDayNumber(person.effective)
            },
            dateFromDayNumber(day)
          ) !== undefined
        )
      }
      const expected = balance(plain.items, { effectiveDate: undefined, ranks: codes.ranks() }, parameters, {
        isFree: (index, day) => taken(index, day) < 0 && !excluded(index, day),
        onMove: (index, from, to) => {
          plain.contacts.keys.values[taken(index, from)] = keyCode(plain.items.typeCode[index]!, to)
        }
      })
      return [...result.days].join() === [...expected.days].join()
    },
    { fastCheck: { numRuns: 40 } }
  )
})

const CASCADE_TYPES = ["aep", "birthday", "campaign_blast", "effective_date"] as const

/** A planned row of the cascade tests: one per (contact, type, day), with its latest day already at or after it. */
interface CascadeRow {
  readonly contact: number
  readonly type: number
  readonly day: number
  readonly priority: number
  readonly latest: number | undefined
  readonly subject: boolean
}

/**
 * The days `balance` gives the rows and the days the reference gives them, with the contacts' keys as taken keys and
 * `refused(contact, day)` as the window test (`refusedUntil` names the window's last day, when given).
 */
const cascadeBothWays = (
  plan: ReadonlyArray<CascadeRow>,
  holds: ReadonlyArray<number | undefined>,
  parameters: BalanceParameters,
  refused: (contact: number, day: number) => boolean,
  windowEnd?: number
) => {
  const codes = new EmailTypeCodes()
  for (const type of CASCADE_TYPES) codes.code(type)
  const items = new BalanceItems()
  const keys = new Map<number, Set<number>>()
  plan.forEach((r, index) => {
    items.push({
      contactId: r.contact,
      typeCode: r.type,
      plannedDay: r.day,
      priority: r.priority,
      latestDay: r.latest ?? NO_LATEST_DAY,
      eventYear: 2026,
      subjectToExclusions: r.subject,
      owner: r.contact,
      ...(holds[index] === undefined ? {} : { heldDay: holds[index] })
    })
    const contactKeys = keys.get(r.contact) ?? new Set<number>()
    contactKeys.add(keyCode(r.type, holds[index] ?? r.day))
    keys.set(r.contact, contactKeys)
  })
  const excluded = (index: number, day: number) =>
    items.subjectToExclusions[index] === 1 && refused(items.contactId[index]!, day)
  const result = balance(items, { effectiveDate: 3, ranks: codes.ranks() }, parameters, {
    isFree: (index, day) =>
      !keys.get(items.contactId[index]!)!.has(keyCode(items.typeCode[index]!, day)) && !excluded(index, day),
    onMove: (index, from, to) => {
      const contactKeys = keys.get(items.contactId[index]!)!
      contactKeys.delete(keyCode(items.typeCode[index]!, from))
      contactKeys.add(keyCode(items.typeCode[index]!, to))
    },
    ...(windowEnd === undefined
      ? {}
      : { refusedUntil: (index: number, day: number) => (excluded(index, day) ? windowEnd : day) })
  })

  const referenceItems: Array<ReferenceItem> = plan.map((r, index) => ({
    contactId: r.contact,
    emailType: CASCADE_TYPES[r.type]!,
    plannedDay: r.day,
    priority: r.priority,
    latestDay: r.latest,
    eventYear: 2026,
    subjectToExclusions: r.subject,
    heldDay: holds[index]
  }))
  const referenceKeys = new Map<number, Set<string>>()
  for (const item of referenceItems) {
    const contactKeys = referenceKeys.get(item.contactId) ?? new Set<string>()
    contactKeys.add(`${item.emailType}|${item.heldDay ?? item.plannedDay}`)
    referenceKeys.set(item.contactId, contactKeys)
  }
  const reference = referenceBalance(referenceItems, parameters, {
    isFree: (item, day) =>
      !referenceKeys.get(item.contactId)!.has(`${item.emailType}|${day}`) &&
      !(item.subjectToExclusions && refused(item.contactId, day)),
    onMove: (item, from, to) => {
      const contactKeys = referenceKeys.get(item.contactId)!
      contactKeys.delete(`${item.emailType}|${from}`)
      contactKeys.add(`${item.emailType}|${to}`)
    }
  })
  return { days: [...result.days], moved: result.moved, reference: [...reference.days] }
}

describe("the cascade against the straightforward reference (property)", () => {
  const TYPES = CASCADE_TYPES
  const row = FastCheck.record({
    contact: FastCheck.integer({ min: 1, max: 8 }),
    type: FastCheck.integer({ min: 0, max: TYPES.length - 1 }),
    day: FastCheck.integer({ min: 100, max: 112 }),
    held: FastCheck.option(FastCheck.integer({ min: 100, max: 116 }), { nil: undefined }),
    priority: FastCheck.constantFrom(10, 20, 30, 40, 2000),
    latest: FastCheck.option(FastCheck.integer({ min: 100, max: 125 }), { nil: undefined }),
    subject: FastCheck.boolean()
  })
  const parameters = FastCheck.record({
    dailyCap: FastCheck.integer({ min: 1, max: 4 }),
    extra: FastCheck.integer({ min: 0, max: 2 }),
    edSoftLimit: FastCheck.integer({ min: 1, max: 3 }),
    edSmoothingWindowDays: FastCheck.constantFrom(3, 5)
  })

  it.prop(
    "gives every row the day the reference gives it, with held rows, windows, taken keys and latest dates",
    [FastCheck.array(row, { maxLength: 60 }), parameters, FastCheck.boolean()],
    ([rows, p, byContact]) => {
      // One row per key, and held days that respect the rows' own limits, as the planner guarantees. The planner
      // lists each contact's rows together, by ascending contact id (the cap's order has a faster path for that).
      const listed = byContact ? [...rows].sort((a, b) => a.contact - b.contact) : rows
      const seen = new Set<string>()
      const plan = listed.filter((r) => {
        const key = `${r.contact}|${r.type}|${r.day}`
        if (seen.has(key)) return false
        seen.add(key)
        return true
      })
      const latestOf = (r: (typeof plan)[number]) => (r.latest === undefined ? undefined : Math.max(r.latest, r.day))
      const heldOf = (r: (typeof plan)[number]) => {
        const latest = latestOf(r)
        const held = r.held
        if (held === undefined || (latest !== undefined && held > latest)) return undefined
        return seen.has(`${r.contact}|${r.type}|${held}`) && held !== r.day ? undefined : held
      }
      const heldDays = new Set<string>()
      const holds = plan.map((r) => {
        const held = heldOf(r)
        if (held === undefined || heldDays.has(`${r.contact}|${r.type}|${held}`)) return undefined
        heldDays.add(`${r.contact}|${r.type}|${held}`)
        return held
      })
      // A "window" per contact: days 105..107 of odd contacts refuse rows subject to exclusions.
      const refused = (contact: number, day: number) => contact % 2 === 1 && day >= 105 && day <= 107
      const balanceParameters = {
        today: 100,
        dailyCap: p.dailyCap,
        threshold: p.dailyCap + p.extra,
        edSoftLimit: p.edSoftLimit,
        edSmoothingWindowDays: p.edSmoothingWindowDays
      }
      const normalized = plan.map((r) => ({ ...r, latest: latestOf(r) }))
      const { days, reference } = cascadeBothWays(normalized, holds, balanceParameters, refused, 107)
      return days.join() === reference.join()
    }
  )
})

const columnItem = (i: number) => ({
  contactId: i,
  typeCode: i % 7,
  plannedDay: 20_000 + (i % 400),
  priority: i % 1000,
  latestDay: 30_000 - i,
  eventYear: 2000 + (i % 50),
  subjectToExclusions: i % 3 === 0,
  owner: i >> 2,
  ...(i % 5 === 0 ? { heldDay: 20_000 + (i % 300) } : {})
})

const assertItems = (items: BalanceItems, count: number) => {
  assert.strictEqual(items.length, count)
  for (let i = 0; i < count; i++) {
    const expected = columnItem(i)
    if (
      items.contactId[i] !== expected.contactId ||
      items.typeCode[i] !== expected.typeCode ||
      items.plannedDay[i] !== expected.plannedDay ||
      items.priority[i] !== expected.priority ||
      items.latestDay[i] !== expected.latestDay ||
      items.eventYear[i] !== expected.eventYear ||
      items.subjectToExclusions[i] !== (expected.subjectToExclusions ? 1 : 0) ||
      items.owner[i] !== expected.owner ||
      items.heldDay[i] !== (expected.heldDay ?? NO_HELD_DAY)
    )
      assert.fail(`item ${i} differs`)
  }
}

describe("balance columns: growth, trimming and release (issue 11's memory)", () => {
  it("grow in place past a million values, keep every value, and are fixed-length once trimmed", () => {
    const items = new BalanceItems()
    const firstColumn = items.contactId
    const count = 1_500_000
    for (let i = 0; i < count; i++) items.push(columnItem(i))
    assert.strictEqual(items.contactId, firstColumn, "the same column, grown within its reserved buffer")
    assert.isTrue(items.contactId.buffer.resizable)
    assertItems(items, count)

    items.trim()
    for (const column of [items.contactId, items.typeCode, items.heldDay, items.subjectToExclusions]) {
      assert.isFalse(column.buffer.resizable)
      assert.strictEqual(column.length, count)
    }
    assertItems(items, count)

    // A trimmed list that grows again moves to a new buffer with its values.
    for (let i = count; i < count + 10; i++) items.push(columnItem(i))
    assertItems(items, count + 10)
  })

  it("IntList: grows in place, trims to a fixed length, and grows again", () => {
    const list = new IntList()
    for (let i = 0; i < 300_000; i++) list.push(i * 3 - 7)
    assert.isTrue(list.values.buffer.resizable)
    list.trim()
    assert.isFalse(list.values.buffer.resizable)
    assert.strictEqual(list.values.length, 300_000)
    list.push(42)
    assert.strictEqual(list.length, 300_001)
    assert.strictEqual(list.values[300_000], 42)
    for (let i = 0; i < 300_000; i++) if (list.values[i] !== i * 3 - 7) assert.fail(`value ${i} differs`)
    list.clear()
    assert.strictEqual(list.values.length, 0)
  })
  it("keep every value through growth and trimming, and keep the keys when the balancing columns are given back", () => {
    const items = new BalanceItems()
    const contacts = new BalanceContacts()
    for (let i = 0; i < 5000; i++) {
      items.push({
        contactId: i + 1,
        typeCode: i % 3,
        plannedDay: 20_000 + (i % 90),
        priority: i % 50,
        latestDay: NO_LATEST_DAY,
        eventYear: 2026,
        subjectToExclusions: i % 2 === 0,
        owner: i,
        ...(i % 7 === 0 ? { heldDay: 20_001 } : {})
      })
      contacts.add([keyCode(i % 3, 20_000 + (i % 90))], {
        state: i % 2 === 0 ? "CA" : undefined,
        birthDay: i,
        effectiveDay: NO_DAY
      })
    }
    assert.isAbove(items.contactId.length, 5000, "growth leaves spare room")
    items.trim()
    contacts.trim()
    assert.deepStrictEqual(
      [items.contactId.length, items.priority.length, items.heldDay.length, contacts.keys.values.length],
      [5000, 5000, 5000, 5000]
    )
    for (const i of [0, 1023, 1024, 2048, 4999]) {
      assert.deepStrictEqual(
        [items.contactId[i], items.typeCode[i], items.plannedDay[i], items.priority[i], items.owner[i]],
        [i + 1, i % 3, 20_000 + (i % 90), i % 50, i]
      )
      assert.strictEqual(items.subjectToExclusions[i], i % 2 === 0 ? 1 : 0)
      assert.strictEqual(contacts.birthDay.values[i], i)
    }
    assert.strictEqual(items.heldDay[4998], 20_001)

    const keys = items.releaseBalancingColumns()
    contacts.release()
    assert.deepStrictEqual(
      [keys.length, keys.contactId[4999], keys.typeCode[4999], keys.plannedDay[4999]],
      [5000, 5000, 1, 20_049]
    )
    assert.deepStrictEqual([items.priority.length, items.owner.length, items.heldDay.length], [0, 0, 0])
    assert.deepStrictEqual([contacts.length, contacts.keys.length, contacts.states], [0, 0, [""]])
  })
})

describe("the cascade against the reference on days of thousands of rows", () => {
  it("gives every row the reference's day when each day sorts thousands of rows (the radix sort's side)", () => {
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed % n
    }
    const rows = Array.from({ length: 24_000 }, (_, i) => {
      const contact = Math.floor(i / 3) + 1
      const day = 100 + (i % 3) + random(2)
      return {
        contact,
        type: i % 3 === 2 ? 3 : (i % 3) + random(2),
        day,
        priority: [10, 20, 30, 40, 2000][random(5)]!,
        latest: random(4) === 0 ? day + random(10) : undefined,
        held: random(6) === 0 ? day + 1 + random(3) : undefined,
        subject: random(2) === 0
      }
    })
    const typesOfContact = new Set<string>()
    const plan = rows.filter((row) => {
      const key = `${row.contact}|${row.type}`
      if (typesOfContact.has(key)) return false
      typesOfContact.add(key)
      return true
    })
    const taken = new Set(plan.map((r) => `${r.contact}|${r.type}|${r.day}`))
    const holds = plan.map((r) => {
      const fits = r.held !== undefined && (r.latest === undefined || r.held <= r.latest)
      if (!fits || taken.has(`${r.contact}|${r.type}|${r.held}`)) return undefined
      taken.add(`${r.contact}|${r.type}|${r.held}`)
      return r.held
    })
    const refused = (contact: number, day: number) => contact % 2 === 1 && day >= 104 && day <= 106
    const parameters = { today: 100, dailyCap: 1800, threshold: 2000, edSoftLimit: 600, edSmoothingWindowDays: 5 }

    const { days, moved, reference } = cascadeBothWays(plan, holds, parameters, refused)
    assert.isAbove(moved, 1000, "the cap moves many rows")
    assert.deepStrictEqual(days, reference)
  })
})
