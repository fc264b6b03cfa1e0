/**
 * What binding a row's values costs a first run's insert (issue 11, BENCHMARKS.md session 28): the same rows of the
 * run's shape inserted into an empty `email_schedules` with the unique key, in one transaction with a rollback journal
 * (as a first run writes), once binding 4 values a row (the others written into the statement as constants, as the
 * floor does) and once binding 14 (as the write thread does). Alternates the two, `--pairs` times.
 *
 *   npm run build && node dist/bench/bind-cost.js [--rows 4375500] [--pairs 2] [--dir /tmp]
 *
 * It writes only a scratch file in `--dir`, removed afterwards.
 */
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Schema } from "effect"
import { type Binding, insertRunShapedRows, valuesBound } from "./run-shaped-insert.js"

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "4375500" },
    pairs: { type: "string", default: "2" },
    dir: { type: "string", default: "/tmp" }
  }
})
const count = Schema.decodeUnknownSync(Schema.NumberFromString.pipe(Schema.int(), Schema.positive()))
const rows = count(values.rows)
const pairs = count(values.pairs)
const path = join(values.dir, `email-scheduler-bind-cost-${process.pid}.sqlite`)

for (let pair = 0; pair < pairs; pair++) {
  // Alternating which goes first, so that neither always meets the machine's warmer or busier minute.
  const order: ReadonlyArray<Binding> = pair % 2 === 0 ? ["literal", "bound"] : ["bound", "literal"]
  for (const binding of order) {
    const times = insertRunShapedRows({ path, rows, binding, transactions: 1, cacheKib: 65_536 })
    console.log(
      `${valuesBound(binding)} values bound a row: ${times.rows.toLocaleString("en-US")} rows in ${times.seconds.toFixed(2)} s`
    )
  }
}
