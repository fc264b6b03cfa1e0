import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Redacted } from "effect"

/**
 * The service-account key, written to a private temporary file (directory 0700, file 0600) for the SDK (and gcsfuse),
 * and removed when the scope closes, on success, failure and interruption alike.
 */
export const gcsKeyFile = (keyJson: Redacted.Redacted<string>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const directory = mkdtempSync(join(tmpdir(), "email-scheduler-gcs-key-"))
      const path = join(directory, "key.json")
      writeFileSync(path, Redacted.value(keyJson), { mode: 0o600 })
      return { directory, path }
    }),
    ({ directory }) => Effect.sync(() => rmSync(directory, { recursive: true, force: true }))
  )
