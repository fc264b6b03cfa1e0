import { spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { directoryStore } from "../../src/storage/directory-store.js"
import { generatedCopy } from "./organization.js"

export const ENTRYPOINT = fileURLToPath(new URL("../../dist/entrypoint.js", import.meta.url))

/**
 * The production job as a child process with only PATH and the given variables, without blocking this process (the
 * in-repo servers it talks to answer from here): its exit code and its stdout (the JSON log lines).
 */
export const runJob = (variables: Record<string, string>) =>
  Effect.promise(
    () =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [ENTRYPOINT], { env: { PATH: process.env.PATH ?? "", ...variables } })
        let stdout = ""
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString()
        })
        child.on("exit", (code) => resolve({ code, stdout }))
      })
  )

/** A directory store under `dir` holding a generated organization of `contacts` at `org-data/acme.db`. */
export const seededStore = (dir: string, name: string, contacts = 300) =>
  Effect.gen(function* () {
    const storeDir = join(dir, `store-${name}`)
    const source = yield* generatedCopy(dir, `${name}.sqlite`, contacts, 9, "2026-11-29")
    yield* directoryStore(storeDir).upload("org-data/acme.db", source, { _tag: "IfAbsent" })
    return storeDir
  })

/** The job's variables for the directory store at `storeDir`, on 2026-12-01. */
export const directoryJob = (dir: string, storeDir: string, extra: Record<string, string> = {}) => ({
  ORG_ID: "acme",
  STORAGE: "dir",
  STORAGE_DIR: storeDir,
  DATA_DIR: join(dir, "data"),
  AS_OF: "2026-12-01",
  ...extra
})
