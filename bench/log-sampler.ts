/**
 * The peak size of a run's journals during one measured run (bench/run.ts starts it beside the run and stops it after):
 * `node dist/bench/log-sampler.js <peak file> <database>-wal <database>-journal`. The write-ahead log, and the rollback
 * journal a first run writes with (src/db/rollback-journal.ts): the disk a run needs beyond the file, their sizes
 * added. Samples every 50 ms from a process of its own, so a run's busy main thread cannot delay it; writes the peak in
 * bytes to the peak file (atomically) whenever it grows.
 */
import { renameSync, statSync, writeFileSync } from "node:fs"

const [peakFile = "", ...journals] = process.argv.slice(2)
let peak = -1
const sample = () => {
  let size = 0
  for (const journal of journals) size += statSync(journal, { throwIfNoEntry: false })?.size ?? 0
  if (size <= peak) return
  peak = size
  writeFileSync(`${peakFile}.part`, String(peak))
  renameSync(`${peakFile}.part`, peakFile)
}
sample()
setInterval(sample, 50)
