import { assert, describe, it } from "vitest"
import { sentence } from "../../src/domain/sentence.js"
import { SyncError } from "../../src/production/errors.js"
import { StorageError } from "../../src/storage/errors.js"

describe("messages end with one full stop (issue 15)", () => {
  it("adds one when missing, never a second", () => {
    assert.strictEqual(sentence("the disk is full"), "the disk is full.")
    assert.strictEqual(sentence("the disk is full. "), "the disk is full.")
    assert.strictEqual(sentence("is it?"), "is it?")
  })

  it("a sync failure built from a storage failure's sentence does not end '..'", () => {
    const storage = new StorageError({ operation: "upload", key: "org-data/acme.db", reason: "socket hang up" })
    const sync = new SyncError({ reason: storage.message })
    assert.strictEqual(sync.message, "Sync failed: Storage upload of org-data/acme.db failed: socket hang up.")
  })
})
