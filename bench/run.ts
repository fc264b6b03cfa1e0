/**
 * Benchmark of what the scheduler does today: generate an organization of N contacts (cached per N and seed), then
 * time a run (migrate, load and validate every contact). Prints a table and writes bench/results/<N>.json.
 *
 *   npm run bench -- --contacts 1000000 [--seed 1]
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { parseArgs } from "node:util"
import { Effect, Option } from "effect"
import { databaseFile } from "../src/app/sqlite.js"
import { generateDatabase } from "../src/generate/generate.js"
import { runOnce } from "../src/scheduling/run.js"

const { values } = parseArgs({
  options: { contacts: { type: "string", default: "100000" }, seed: { type: "string", default: "1" } }
})
const contacts = Number(values.contacts)
const seed = Number(values.seed)
const AS_OF = "2026-11-29"
mkdirSync("bench/.cache", { recursive: true })
mkdirSync("bench/results", { recursive: true })
const path = `bench/.cache/org-${contacts}-${seed}.sqlite`

const seconds = (start: number) => (performance.now() - start) / 1000

const main = Effect.gen(function* () {
  let generateSeconds: number | undefined
  if (!existsSync(path)) {
    const start = performance.now()
    yield* generateDatabase({ path, contacts, seed, asOf: AS_OF, force: false })
    generateSeconds = seconds(start)
  }
  const start = performance.now()
  const report = yield* runOnce({ asOf: Option.some(AS_OF), dryRun: false, flags: {} }).pipe(
    Effect.provide(databaseFile(path))
  )
  const runSeconds = seconds(start)
  const result = {
    contacts,
    seed,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
    generateSeconds,
    generateContactsPerSecond: generateSeconds === undefined ? undefined : Math.round(contacts / generateSeconds),
    runSeconds,
    runContactsPerSecond: Math.round(report.contacts.total / runSeconds),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024)
  }
  writeFileSync(`bench/results/${contacts}.json`, `${JSON.stringify(result, null, 2)}\n`)
  console.table(result)
})

Effect.runPromise(main).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
