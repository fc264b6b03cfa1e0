import { assert, describe, it } from "@effect/vitest"
import { ByteReader, ByteWriter } from "../../src/run/staging.js"

describe("the staging buffer of pass 1", () => {
  it("gives a batch's memory back at once when released, and can be used again", () => {
    const writer = new ByteWriter()
    writer.text("é".repeat(1_500_000)) // 3 MB: more than the first buffer, so it grew once
    writer.i32(-7)
    const staged = writer.bytes()
    assert.strictEqual(new ByteReader(staged).text(), "é".repeat(1_500_000))
    writer.release()
    // The memory is gone now, not at the next collection: every view of it is detached.
    assert.strictEqual(staged.buffer.byteLength, 0)
    writer.text("after")
    writer.f64(2.5)
    const reader = new ByteReader(writer.bytes())
    assert.strictEqual(reader.text(), "after")
    assert.strictEqual(reader.f64(), 2.5)
    assert.isTrue(reader.done)
  })
})
