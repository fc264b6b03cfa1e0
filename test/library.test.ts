import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { NodeFileSystem } from "@effect/platform-node"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import * as Scheduler from "../src/index.js"
import { FORBIDDEN_IN_LIBRARY } from "./support/forbidden-packages.js"

const SRC = fileURLToPath(new URL("../src/", import.meta.url))

/** Every module reachable from a source file through static and dynamic imports, with its package imports. */
const reachableImports = (entry: string): Map<string, ReadonlyArray<string>> => {
  const seen = new Map<string, ReadonlyArray<string>>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    const text = readFileSync(file, "utf8")
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!)
    seen.set(
      file,
      specifiers.filter((s) => !s.startsWith("."))
    )
    for (const relative of specifiers.filter((s) => s.startsWith("."))) {
      visit(resolve(dirname(file), relative.replace(/\.js$/, ".ts")))
    }
  }
  visit(entry)
  return seen
}

describe("library surface (src/index.ts)", () => {
  it("imports nothing platform-specific, directly or transitively", () => {
    const graph = reachableImports(join(SRC, "index.ts"))
    assert.isAbove(graph.size, 10, "the walk follows relative imports")
    for (const [file, packages] of graph) {
      for (const forbidden of FORBIDDEN_IN_LIBRARY) {
        assert.isFalse(
          packages.some((p) => p === forbidden || p.startsWith(`${forbidden}/`)),
          `${file} imports ${forbidden}`
        )
      }
    }
  })

  it.effect("runs on a host-provided SqlClient", () =>
    Effect.gen(function* () {
      const report = yield* Scheduler.runOnce({ asOf: Option.some("2026-06-01"), dryRun: false, flags: {} })
      assert.strictEqual(report.contacts.total, 0)
      assert.deepStrictEqual(report.migrationsApplied, [
        "0001_base_schema",
        "0002_lean_indexes",
        "0003_change_tracking",
        "0004_abandoned_checkpoints",
        "0005_deferred_indexes",
        "0006_changed_contacts",
        "0007_plan_reuse",
        "0008_count_lookalike_writes"
      ])
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          Scheduler.layer.pipe(Layer.provideMerge(SqliteClient.layer({ filename: ":memory:" }))),
          NodeFileSystem.layer
        )
      )
    )
  )
})
