import { statSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Schema } from "effect"
import { openLogMeter } from "../../src/db/wal-index.js"
import { useTempDir } from "../support/files.js"

const dir = useTempDir("wal-index")
const CheckpointResult = Schema.Array(Schema.Struct({ busy: Schema.Int, log: Schema.Int, checkpointed: Schema.Int }))

/**
 * Runs `body` on a new database that never checkpoints by itself, with a table of 4 KB blobs (`write` adds some) and a
 * meter open on it; in WAL mode unless `wal` is false. Closes both afterwards.
 */
const withMeteredDatabase = (
  name: string,
  body: (database: {
    readonly path: string
    readonly db: BetterSqlite3.Database
    readonly meter: ReturnType<typeof openLogMeter>
    readonly write: (blobs: number) => void
  }) => void,
  wal = true
) => {
  const path = join(dir, name)
  const db = new BetterSqlite3(path)
  if (wal) db.pragma("journal_mode = WAL")
  db.pragma("wal_autocheckpoint = 0")
  db.exec("CREATE TABLE scratch (bytes BLOB)")
  const write = (blobs: number) =>
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${blobs})
      INSERT INTO scratch SELECT randomblob(4000) FROM n`)
  const meter = openLogMeter(path)
  try {
    body({ path, db, meter, write })
  } finally {
    meter.close()
    db.close()
  }
}

describe("the log's use, read from the wal-index header (issue 11)", () => {
  it("counts the frames a checkpoint reports, and the bytes they take in the log file", () =>
    withMeteredDatabase("frames.sqlite", ({ path, meter, write }) => {
      write(300)
      const use = meter.read()
      const other = new BetterSqlite3(path)
      const [checkpoint] = Schema.decodeUnknownSync(CheckpointResult)(other.pragma("wal_checkpoint(PASSIVE)"))
      other.close()
      assert.strictEqual(use.frames, checkpoint?.log)
      assert.strictEqual(use.bytes, statSync(`${path}-wal`).size, "a log never started again is exactly its frames")
    }))

  it("after the log starts again, counts the new frames while the file keeps its size", () =>
    withMeteredDatabase("restarted.sqlite", ({ path, db, meter, write }) => {
      write(600)
      const before = meter.read()
      db.pragma("wal_checkpoint(RESTART)")
      write(50)
      const after = meter.read()
      assert.isBelow(after.frames ?? Number.POSITIVE_INFINITY, (before.frames ?? 0) / 5)
      assert.isAbove(after.frames ?? 0, 50, "each blob fills a page")
      assert.isBelow(after.bytes, statSync(`${path}-wal`).size / 5)
    }))

  it("without a wal-index, answers the log file's size (none: 0)", () =>
    withMeteredDatabase(
      "rollback.sqlite",
      ({ meter, write }) => {
        write(10)
        assert.deepStrictEqual(meter.read(), { frames: undefined, bytes: 0 })
      },
      false
    ))
})
