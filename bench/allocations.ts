/**
 * Where a run's garbage comes from (issue 11): one run in this process under V8's sampling heap profiler, counting the
 * objects the collector has already freed too, then the functions that allocated the most. Garbage collection is a
 * sixth of a run's time, and a CPU profile only shows it as "(garbage collector)"; this shows who made the garbage.
 *
 *   npm run build && node --max-semi-space-size=8 dist/bench/allocations.js <database> <as-of> [--top 30]
 *
 * The run writes to the database as any run does: give it a copy.
 */
import { Session } from "node:inspector/promises"
import { parseArgs } from "node:util"
import { Effect, Option, Schema } from "effect"
import { runnableFile } from "../src/app/sqlite.js"
import { runOnce } from "../src/run/run.js"

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "30" } }
})
const [path = "", asOfText = ""] = positionals
const asOf = Schema.decodeUnknownSync(Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/)))(asOfText)
const top = Number(values.top)

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly selfSize: number
  readonly children: ReadonlyArray<ProfileNode>
}

/** Bytes allocated per function (name, file and line), over the whole tree. */
const bytesByFunction = (root: ProfileNode): Map<string, number> => {
  const totals = new Map<string, number>()
  const pending = [root]
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const { functionName, url, lineNumber } = node.callFrame
    const file = url.replace(/^.*\/(dist|node_modules)\//, "$1/") || "(native)"
    const key = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`
    totals.set(key, (totals.get(key) ?? 0) + node.selfSize)
    pending.push(...node.children)
  }
  return totals
}

const session = new Session()
session.connect()
await session.post("HeapProfiler.enable")
// One sample every 32 KiB allocated, freed objects included: the total is what the collector had to deal with.
await session.post("HeapProfiler.startSampling", {
  samplingInterval: 32_768,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true
})
const started = performance.now()
const report = await Effect.runPromise(
  runOnce({ asOf: Option.some(asOf), dryRun: false, flags: {}, onProgress: () => undefined }).pipe(
    Effect.provide(runnableFile(path))
  )
)
const seconds = (performance.now() - started) / 1000
const { profile } = await session.post("HeapProfiler.stopSampling")
session.disconnect()

const totals = bytesByFunction(profile.head)
const all = [...totals.values()].reduce((sum, bytes) => sum + bytes, 0)
const megabytes = (bytes: number) => (bytes / 1e6).toFixed(0).padStart(7)
console.log(
  `${report.contacts.total.toLocaleString()} contacts, ${report.plan.rows.toLocaleString()} planned rows, ` +
    `${seconds.toFixed(1)} s under the profiler: ${megabytes(all).trim()} MB allocated (sampled)`
)
for (const [name, bytes] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${megabytes(bytes)} MB ${((100 * bytes) / all).toFixed(1).padStart(5)} %  ${name}`)
}
