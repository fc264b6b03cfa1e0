/**
 * How long contacts' plans hold (issue 11): `explain`'s horizon for a sample of contacts spread over the id range, as
 * days after the as-of date. A night that planned only the contacts whose horizon has come (and those whose data
 * changed) would plan the share this prints for "tomorrow"; the rest tells how that share moves over the next days.
 *
 *   npm run build && node dist/bench/horizons.js <database> <as-of> [--sample 2000]
 *
 * It writes nothing (explain works in a rolled-back transaction).
 */
import { parseArgs } from "node:util"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Option, Schema } from "effect"
import { runnableFile } from "../src/app/sqlite.js"
import { daysBetween } from "../src/domain/dates.js"
import { explainContact } from "../src/run/explain.js"

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { sample: { type: "string", default: "2000" } }
})
const [path = "", asOfText = ""] = positionals
const asOf = Schema.decodeUnknownSync(Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/)))(asOfText)
const sample = Schema.decodeUnknownSync(Schema.NumberFromString.pipe(Schema.int(), Schema.positive()))(values.sample)

const lastId = ((): number => {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    const value: unknown = db.prepare("SELECT max(id) FROM contacts").pluck().get()
    return typeof value === "number" ? value : 0
  } finally {
    db.close()
  }
})()

const horizons = Effect.gen(function* () {
  const days: Array<number> = []
  // Ids spread over the whole range (a prime stride); an id with no contact is left out.
  for (let i = 0; i < sample; i++) {
    const contactId = 1 + ((i * 99_991) % Math.max(1, lastId))
    const explained = yield* explainContact({ contactId, asOf: Option.some(asOf), flags: {} }).pipe(Effect.option)
    if (Option.isNone(explained)) continue
    const until = explained.value.holdsUntil
    days.push(until === undefined ? Number.POSITIVE_INFINITY : daysBetween(asOf, until))
  }
  return days.sort((a, b) => a - b)
})

const days = await Effect.runPromise(horizons.pipe(Effect.provide(runnableFile(path))))
const share = (limit: number) => `${((100 * days.filter((day) => day <= limit).length) / days.length).toFixed(1)} %`
const quantile = (q: number) => days[Math.floor(q * (days.length - 1))]
console.log(
  `${days.length} contacts as of ${asOf}: the plan may change tomorrow for ${share(1)}, within 7 days for ` +
    `${share(7)}, within 30 days for ${share(30)}; median ${quantile(0.5)} days, 90th percentile ${quantile(0.9)} days`
)
