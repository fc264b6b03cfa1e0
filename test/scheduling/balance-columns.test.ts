import { assert, describe, it } from "@effect/vitest"
import { BalanceItems, IntList, NO_HELD_DAY } from "../../src/balance/balance-items.js"

const item = (i: number) => ({
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
    const expected = item(i)
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

describe("balance columns (issue 11: pass 1 grows them to millions of values)", () => {
  it("grow in place past a million values, keep every value, and are fixed-length once trimmed", () => {
    const items = new BalanceItems()
    const firstColumn = items.contactId
    const count = 1_500_000
    for (let i = 0; i < count; i++) items.push(item(i))
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
    for (let i = count; i < count + 10; i++) items.push(item(i))
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
})
