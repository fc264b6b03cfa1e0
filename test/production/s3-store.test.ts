/**
 * The S3 store through the real AWS SDK over real HTTP against the in-repo S3 server (test/support/fake-s3.ts), which
 * enforces what S3 enforces here: the single-PUT size limit (lowered for the test), the minimum part size, and the
 * conditional headers on PutObject and CompleteMultipartUpload. A real bucket is not reachable from CI.
 */
import { randomBytes } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted } from "effect"
import { isTigrisEndpoint, s3Store } from "../../src/storage/s3-store.js"
import { type FakeS3Options, startFakeS3 } from "../support/fake-s3.js"
import { useTempDir } from "../support/files.js"
import { withServer } from "../support/http.js"

const dir = useTempDir("s3-store")
const MiB = 1024 * 1024
const KEY = "org-data/acme.db"

const withFake = <A, E>(
  options: FakeS3Options,
  use: (fake: Awaited<ReturnType<typeof startFakeS3>>) => Effect.Effect<A, E>
) => withServer(() => startFakeS3(options), use)

const storeOf = (endpoint: string, extra: { readonly tigrisConsistent?: boolean; readonly partSize?: number } = {}) =>
  s3Store({
    bucket: "orgs",
    endpoint,
    region: "auto",
    accessKeyId: Redacted.make("test"),
    secretAccessKey: Redacted.make("test"),
    partSize: 5 * MiB,
    ...extra
  })

const fileOf = (name: string, bytes: number) => {
  const path = join(dir, name)
  writeFileSync(path, randomBytes(bytes))
  return path
}

const failedWith = (exit: Exit.Exit<unknown, unknown>, text: string) =>
  Exit.isFailure(exit) && String(exit.cause).includes(text)

describe("S3 store: large databases, retries and lost races (issue 12)", () => {
  it.effect("a file above the single-PUT limit goes up in parts and comes back byte for byte", () =>
    withFake({ maxPutBytes: 6 * MiB }, (fake) =>
      Effect.gen(function* () {
        const big = fileOf("big.bin", 13 * MiB + 123)
        const oneShot = yield* Effect.exit(
          storeOf(fake.endpoint, { partSize: 64 * MiB }).upload(KEY, big, { _tag: "IfAbsent" })
        )
        assert.isTrue(failedWith(oneShot, "EntityTooLarge"), "the server refuses one PUT this large, as S3 does")
        const store = storeOf(fake.endpoint)
        const created = yield* store.upload(KEY, big, { _tag: "IfAbsent" })
        const back = join(dir, "big.back")
        const pinned = yield* store.download(KEY, back)
        assert.strictEqual(pinned.version, created.version)
        assert.isTrue(readFileSync(back).equals(readFileSync(big)))
        const operations = fake.seen.slice(1).map((request) => request.operation)
        assert.deepStrictEqual(operations.slice(0, 5), [
          "CreateMultipartUpload",
          "UploadPart",
          "UploadPart",
          "UploadPart",
          "CompleteMultipartUpload"
        ])
      })
    )
  )

  it.effect("a lost race still loses: the conditional completion is refused and the upload aborted", () =>
    withFake({ maxPutBytes: 6 * MiB }, (fake) =>
      Effect.gen(function* () {
        const store = storeOf(fake.endpoint)
        yield* store.upload(KEY, fileOf("v1.bin", 1000), { _tag: "IfAbsent" })
        const pinned = yield* store.download(KEY, join(dir, "pinned.bin"))
        const theirs = fileOf("theirs.bin", 2000)
        yield* store.upload(KEY, theirs, { _tag: "IfVersion", version: pinned.version })
        const ours = fileOf("ours.bin", 11 * MiB)
        const lost = yield* Effect.exit(store.upload(KEY, ours, { _tag: "IfVersion", version: pinned.version }))
        assert.isTrue(failedWith(lost, "PreconditionFailed"), String(lost))
        const createOnly = yield* Effect.exit(store.upload(KEY, ours, { _tag: "IfAbsent" }))
        assert.isTrue(failedWith(createOnly, "PreconditionFailed"), "create-only over an existing object")
        assert.isTrue(fake.objects.get(`orgs/${KEY}`)?.body.equals(readFileSync(theirs)), "the newer copy stays")
        assert.strictEqual(fake.openUploads(), 0, "refused uploads are aborted, no parts left behind")
      })
    )
  )

  it.effect("a part that fails once is retried on its own", () =>
    withFake({ failPartsOnce: [2] }, (fake) =>
      Effect.gen(function* () {
        const store = storeOf(fake.endpoint)
        const source = fileOf("retry.bin", 12 * MiB)
        yield* store.upload(KEY, source, { _tag: "IfAbsent" })
        assert.isTrue(fake.objects.get(`orgs/${KEY}`)?.body.equals(readFileSync(source)))
        const parts = fake.seen.filter((request) => request.operation === "UploadPart")
        assert.isAtLeast(parts.length, 4, "three parts, the second sent twice")
      })
    )
  )

  it.effect("Tigris: every request carries X-Tigris-Consistent (the server refuses requests without it)", () =>
    withFake({ requireTigrisConsistent: true }, (fake) =>
      Effect.gen(function* () {
        const source = fileOf("tigris.bin", 11 * MiB)
        const plain = yield* Effect.exit(
          storeOf(fake.endpoint, { tigrisConsistent: false }).upload(KEY, source, { _tag: "IfAbsent" })
        )
        assert.isTrue(failedWith(plain, "MissingTigrisConsistentHeader"))
        const store = storeOf(fake.endpoint, { tigrisConsistent: true })
        const created = yield* store.upload(KEY, source, { _tag: "IfAbsent" })
        const pinned = yield* store.download(KEY, join(dir, "tigris.back"))
        assert.strictEqual(pinned.version, created.version)
        yield* store.upload(KEY, fileOf("tigris-small.bin", 100), { _tag: "IfVersion", version: pinned.version })
      })
    )
  )

  it("the header goes to Tigris's endpoints by default, not to AWS", () => {
    assert.isTrue(isTigrisEndpoint("https://fly.storage.tigris.dev"))
    assert.isTrue(isTigrisEndpoint("https://t3.storage.dev"))
    assert.isFalse(isTigrisEndpoint("https://s3.us-east-1.amazonaws.com"))
    assert.isFalse(isTigrisEndpoint(undefined))
  })
})
