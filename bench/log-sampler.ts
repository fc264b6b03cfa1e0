/**
 * The write-ahead log's peak size during one measured run (bench/run.ts starts it beside the run and stops it after):
 * `node dist/bench/log-sampler.js <database>-wal <peak file>`. Samples every 50 ms from a process of its own, so a
 * run's busy main thread cannot delay it; writes the peak in bytes to the peak file (atomically) whenever it grows.
 */
import { renameSync, statSync, writeFileSync } from "node:fs"

const [log = "", peakFile = ""] = process.argv.slice(2)
let peak = -1
const sample = () => {
  const size = statSync(log, { throwIfNoEntry: false })?.size ?? 0
  if (size <= peak) return
  peak = size
  writeFileSync(`${peakFile}.part`, String(peak))
  renameSync(`${peakFile}.part`, peakFile)
}
sample()
setInterval(sample, 50)
