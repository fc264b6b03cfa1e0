/**
 * What a first run's page cache does to its commits (issue 11, BENCHMARKS.md session 29): rows of the run's shape
 * inserted into an empty `email_schedules` in `--transactions` transactions (a 1 M first run's 40 batches) with a
 * rollback journal synced FULL, as the write thread inserts them, once with each page cache of `--caches` (KiB;
 * 98304 was the thread's until session 29, 8192 is now: db/write-thread.ts FIRST_RUN_CACHE_KIB), in turn, `--rounds`
 * times. Reports each insert's time and the part spent in its commits.
 *
 *   npm run build && node dist/bench/commit-cache.js [--rows 4375500] [--transactions 40] [--caches 98304,8192] [--rounds 2] [--dir /tmp]
 *
 * It writes only a scratch file in `--dir`, removed afterwards.
 */
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Schema } from "effect"
import { insertRunShapedRows } from "./run-shaped-insert.js"

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "4375500" },
    transactions: { type: "string", default: "40" },
    caches: { type: "string", default: "98304,8192" },
    rounds: { type: "string", default: "2" },
    dir: { type: "string", default: "/tmp" }
  }
})
const count = Schema.decodeUnknownSync(Schema.NumberFromString.pipe(Schema.int(), Schema.positive()))
const rows = count(values.rows)
const transactions = count(values.transactions)
const rounds = count(values.rounds)
const caches = values.caches.split(",").map((cache) => count(cache.trim()))
const path = join(values.dir, `email-scheduler-commit-cache-${process.pid}.sqlite`)

for (let round = 0; round < rounds; round++) {
  // Each round in the other order, so that no size always meets the machine's warmer or busier minute.
  for (const cacheKib of round % 2 === 0 ? caches : [...caches].reverse()) {
    const times = insertRunShapedRows({ path, rows, binding: "bound", transactions, cacheKib })
    console.log(
      `cache ${cacheKib} KiB: ${times.rows.toLocaleString("en-US")} rows in ${transactions} transactions, ${times.seconds.toFixed(2)} s, of which the commits ${times.commitSeconds.toFixed(2)} s`
    )
  }
}
