/**
 * The GCS store through the real @google-cloud/storage SDK over real HTTP against the in-repo GCS server
 * (test/support/fake-gcs.ts), which implements resumable sessions, checks `ifGenerationMatch` when a session starts
 * and when it is finalized, verifies the final chunk's CRC32C, and sends `x-goog-hash` on downloads, as GCS does.
 */
import { randomBytes } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { gcsStore } from "../../src/storage/gcs-store.js"
import { type FakeGcsOptions, startFakeGcs } from "../support/fake-gcs.js"
import { useTempDir } from "../support/files.js"
import { withServer } from "../support/http.js"

const dir = useTempDir("gcs-store")
const KEY = "org-data/acme.db"

const withFake = <A, E>(
  options: FakeGcsOptions,
  use: (fake: Awaited<ReturnType<typeof startFakeGcs>>) => Effect.Effect<A, E>
) => withServer(() => startFakeGcs(options), use)

const fileOf = (name: string, bytes: number) => {
  const path = join(dir, name)
  writeFileSync(path, randomBytes(bytes))
  return path
}

describe("GCS store: resumable, CRC32C-checked transfers (issue 12)", () => {
  it.effect("uploads through a resumable session with its precondition, and the copy comes back checked", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const store = gcsStore({ bucket: "orgs", keyFilename: undefined, apiEndpoint: fake.endpoint })
        const source = fileOf("db.bin", 3 * 1024 * 1024 + 7)
        const created = yield* store.upload(KEY, source, { _tag: "IfAbsent" })
        assert.includeMembers(fake.seen, ["POST resumable", "PUT resumable"])
        assert.notInclude(fake.seen, "POST multipart")
        const back = join(dir, "db.back")
        const pinned = yield* store.download(KEY, back)
        assert.strictEqual(pinned.version, created.version)
        assert.isTrue(readFileSync(back).equals(readFileSync(source)))
        const stale = yield* Effect.exit(store.upload(KEY, source, { _tag: "IfAbsent" }))
        assert.isTrue(Exit.isFailure(stale) && String(stale.cause).includes("PreconditionFailed"))
      })
    )
  )

  it.effect("a download whose bytes do not match the object's CRC32C fails instead of landing", () =>
    withFake({ corruptDownloads: true }, (fake) =>
      Effect.gen(function* () {
        const store = gcsStore({ bucket: "orgs", keyFilename: undefined, apiEndpoint: fake.endpoint })
        yield* store.upload(KEY, fileOf("clean.bin", 200_000), { _tag: "IfAbsent" })
        const exit = yield* Effect.exit(store.download(KEY, join(dir, "corrupt.back")))
        assert.isTrue(Exit.isFailure(exit), "the corrupted download is refused")
        assert.include(String(exit), "StorageError")
      })
    )
  )
})
