import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Redacted } from "effect"

/**
 * The service-account key, written to a private temporary file (directory 0700, file 0600) for the SDK (and gcsfuse),
 * and removed with its directory when the scope closes, on success, failure and interruption alike.
 */
export const gcsKeyFile = (keyJson: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const directory = yield* fs.makeTempDirectoryScoped({ prefix: "email-scheduler-gcs-key-" })
    yield* fs.chmod(directory, 0o700)
    const path = `${directory}/key.json`
    yield* fs.writeFileString(path, Redacted.value(keyJson), { mode: 0o600 })
    return { directory, path }
  })
