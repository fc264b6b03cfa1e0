/**
 * One contract for every object store. The GCS and S3 stores are driven by their real SDKs over real HTTP against
 * small in-repo servers (test/support/fake-gcs.ts, fake-s3.ts) that implement the subset of each API the stores use
 * and enforce the upload preconditions, because no installable emulator enforces them. The same contract runs against
 * real buckets when credentials are present, and is skipped otherwise.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted } from "effect"
import { directoryStore } from "../../src/storage/directory-store.js"
import { gcsStore } from "../../src/storage/gcs-store.js"
import type { ObjectStore } from "../../src/storage/ObjectStore.js"
import { s3Store } from "../../src/storage/s3-store.js"
import { startFakeGcs } from "../support/fake-gcs.js"
import { startFakeS3 } from "../support/fake-s3.js"
import { useTempDir } from "../support/files.js"

const dir = useTempDir("contract")
let fake: Awaited<ReturnType<typeof startFakeS3>>
let fakeGcs: Awaited<ReturnType<typeof startFakeGcs>>
beforeAll(async () => {
  fake = await startFakeS3()
  fakeGcs = await startFakeGcs()
})
afterAll(async () => {
  await fake.close()
  await fakeGcs.close()
})

type Store = ObjectStore["Type"]
const failsWith = (exit: Exit.Exit<unknown, unknown>, tag: string) =>
  Exit.isFailure(exit) && String(exit.cause).includes(tag)

/** The behaviour every store must have: pinned versions, conditional writes, create-only, missing objects. */
const contract = (name: string, make: () => Store) =>
  describe(`object store contract: ${name}`, () => {
    it.effect("create-only, pinned download, conditional overwrite, stale write refused, missing object", () =>
      Effect.gen(function* () {
        const store = make()
        const key = `org-data/contract-${Date.now()}-${Math.random().toString(16).slice(2)}.db`
        const file = join(dir, `${name}-payload.bin`)
        const copy = join(dir, `${name}-copy.bin`)
        writeFileSync(file, "first")
        const created = yield* store.upload(key, file, { _tag: "IfAbsent" })
        assert.isTrue(
          failsWith(yield* Effect.exit(store.upload(key, file, { _tag: "IfAbsent" })), "PreconditionFailed")
        )
        const pinned = yield* store.download(key, copy)
        assert.strictEqual(pinned.version, created.version)
        assert.strictEqual(readFileSync(copy, "utf8"), "first")
        writeFileSync(file, "second")
        const next = yield* store.upload(key, file, { _tag: "IfVersion", version: pinned.version })
        assert.notStrictEqual(next.version, pinned.version)
        assert.isTrue(
          failsWith(
            yield* Effect.exit(store.upload(key, file, { _tag: "IfVersion", version: pinned.version })),
            "PreconditionFailed"
          ),
          "a write over a stale version is refused"
        )
        yield* store.download(key, copy)
        assert.strictEqual(readFileSync(copy, "utf8"), "second")
        assert.isTrue(failsWith(yield* Effect.exit(store.download(`${key}.absent`, copy)), "ObjectNotFound"))
      })
    )

    it.effect("lists the keys under a prefix: an object and its conflict copies, nothing else", () =>
      Effect.gen(function* () {
        const store = make()
        const key = `org-data/listed-${Date.now()}-${Math.random().toString(16).slice(2)}.db`
        const file = join(dir, `${name}-listed.bin`)
        writeFileSync(file, "payload")
        assert.deepStrictEqual(yield* store.list(key), [])
        yield* store.upload(key, file, { _tag: "IfAbsent" })
        yield* store.upload(`${key}.conflict-run_1`, file, { _tag: "IfAbsent" })
        yield* store.upload(`${key}x/other.db`, file, { _tag: "IfAbsent" })
        const listed = yield* store.list(key)
        assert.includeMembers([...listed], [key, `${key}.conflict-run_1`])
        assert.isFalse(listed.some((found) => found.endsWith(".lock")))
        assert.deepStrictEqual(yield* store.list(`${key}.conflict-`), [`${key}.conflict-run_1`])
      })
    )

    it.effect("a folder prefix (ending in /) lists every object in the folder, as the fleet reads org-data/", () =>
      Effect.gen(function* () {
        const store = make()
        const folder = `fleet-${Date.now()}-${Math.random().toString(16).slice(2)}/`
        const file = join(dir, `${name}-folder.bin`)
        writeFileSync(file, "payload")
        assert.deepStrictEqual(yield* store.list(folder), [])
        for (const key of ["acme.db", "zenith.db", "acme.db.conflict-run_1"])
          yield* store.upload(`${folder}${key}`, file, { _tag: "IfAbsent" })
        assert.deepStrictEqual([...(yield* store.list(folder))].sort(), [
          `${folder}acme.db`,
          `${folder}acme.db.conflict-run_1`,
          `${folder}zenith.db`
        ])
      })
    )
  })

contract("directory", () => directoryStore(join(dir, "objects")))
contract("S3 SDK over real HTTP against the in-repo S3 server", () =>
  s3Store({
    bucket: "test-bucket",
    endpoint: fake.endpoint,
    region: "auto",
    accessKeyId: Redacted.make("test"),
    secretAccessKey: Redacted.make("test")
  })
)

contract("GCS SDK over real HTTP against the in-repo GCS server", () =>
  gcsStore({ bucket: "test-bucket", keyFilename: undefined, apiEndpoint: fakeGcs.endpoint })
)

// The same contract against real buckets when credentials are given (never in CI here: there is no network).
const realGcsBucket = process.env.GCS_CONTRACT_BUCKET
if (realGcsBucket === undefined) {
  describe("object store contract: real GCS bucket", () => {
    it.skip("skipped: set GCS_CONTRACT_BUCKET and GOOGLE_APPLICATION_CREDENTIALS (a service-account key file)", () => {})
  })
} else {
  contract("real GCS bucket", () =>
    gcsStore({ bucket: realGcsBucket, keyFilename: process.env.GOOGLE_APPLICATION_CREDENTIALS })
  )
}

const realBucket = process.env.S3_CONTRACT_BUCKET
if (realBucket === undefined) {
  describe("object store contract: real S3 bucket", () => {
    it.skip("skipped: set S3_CONTRACT_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_ENDPOINT_URL_S3 for Tigris)", () => {})
  })
} else {
  contract("real S3 bucket", () =>
    s3Store({
      bucket: realBucket,
      endpoint: process.env.AWS_ENDPOINT_URL_S3,
      region: process.env.AWS_REGION ?? "auto",
      accessKeyId: Redacted.make(process.env.AWS_ACCESS_KEY_ID ?? ""),
      secretAccessKey: Redacted.make(process.env.AWS_SECRET_ACCESS_KEY ?? "")
    })
  )
}
