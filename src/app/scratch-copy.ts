import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { DatabaseError } from "../db/errors.js"
import { sqliteCopy } from "../storage/mount.js"

/**
 * A private copy of a SQLite database (SQLite's backup API, so a file open elsewhere in WAL mode copies whole), removed
 * when the scope closes: what-if work writes to the copy and never to the organization's file.
 */
export const scratchCopy = (path: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const dir = mkdtempSync(join(tmpdir(), "email-scheduler-preview-"))
        const copy = join(dir, "preview.sqlite")
        try {
          await sqliteCopy(path, copy)
        } catch (cause) {
          rmSync(dir, { recursive: true, force: true })
          throw cause
        }
        return { dir, copy }
      },
      catch: (cause) => new DatabaseError({ operation: `copy ${path} for the preview`, cause })
    }),
    ({ dir }) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  ).pipe(Effect.map(({ copy }) => copy))
