import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

const SRC = fileURLToPath(new URL("../src/", import.meta.url))

/** Every source file under src/, with the relative import specifiers it contains. */
const sources = (): ReadonlyArray<{ readonly file: string; readonly imports: ReadonlyArray<string> }> =>
  readdirSync(SRC, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => ({
      file,
      imports: [...readFileSync(join(SRC, file), "utf8").matchAll(/from\s*["'](\.{1,2}\/[^"']+)["']/g)].map((match) =>
        relative(SRC, join(SRC, file, "..", match[1]!))
      )
    }))

const folderOf = (path: string) => path.split("/")[0]

describe("the scheduler's folders show the flow (issue 14): plan/ → balance/ → run/", () => {
  it("plan/ reaches neither balance/ nor run/, and balance/ never reaches run/", () => {
    const forbidden: Readonly<Record<string, ReadonlyArray<string>>> = { plan: ["balance", "run"], balance: ["run"] }
    for (const { file, imports } of sources()) {
      for (const target of imports) {
        const banned = forbidden[folderOf(file) ?? ""] ?? []
        assert.notInclude(banned, folderOf(target), `${file} imports ${target}`)
      }
    }
  })

  it("code outside plan/, balance/ and run/ uses each through its index", () => {
    for (const { file, imports } of sources()) {
      for (const target of imports) {
        const folder = folderOf(target)
        if (folder === undefined || !["plan", "balance", "run"].includes(folder) || folder === folderOf(file)) continue
        assert.strictEqual(target, `${folder}/index.js`, `${file} reaches into ${target}`)
      }
    }
  })
})
