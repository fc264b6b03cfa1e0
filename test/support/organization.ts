import { copyFileSync, existsSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { generateDatabase } from "../../src/generate/generate.js"

/** A generated organization, built once per (contacts, seed, as-of) in `dir` and copied for each test. */
export const generatedCopy = (dir: string, name: string, contacts: number, seed: number, asOf: string) =>
  Effect.gen(function* () {
    const template = join(dir, `template-${contacts}-${seed}-${asOf}.sqlite`)
    if (!existsSync(template)) yield* generateDatabase({ path: template, contacts, seed, asOf, force: false })
    const path = join(dir, name)
    copyFileSync(template, path)
    return path
  })
