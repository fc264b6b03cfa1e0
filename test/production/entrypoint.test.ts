import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { directoryStore } from "../../src/storage/directory-store.js"
import { gcsStore } from "../../src/storage/gcs-store.js"
import { s3Store } from "../../src/storage/s3-store.js"
import { startFakeGcs } from "../support/fake-gcs.js"
import { startFakeS3 } from "../support/fake-s3.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const ENTRYPOINT = fileURLToPath(new URL("../../dist/entrypoint.js", import.meta.url))
const dir = useTempDir("entrypoint")
const KEY = "org-data/acme.db"
const SECRET = "s3cr3t-never-logged-7f3a"

/** Only PATH and the given variables: the production machine's environment is explicit. */
const environment = (variables: Record<string, string>) => ({ PATH: process.env.PATH ?? "", ...variables })
const logLines = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { message: string; logLevel: string; annotations: Record<string, unknown> })

/**
 * Runs the entrypoint without blocking this process: the in-repo storage servers it talks to run here.
 */
const runAsync = (variables: Record<string, string>) =>
  Effect.promise(
    () =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [ENTRYPOINT], { env: environment(variables) })
        let stdout = ""
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString()
        })
        child.on("exit", (code) => resolve({ code, stdout }))
      })
  )

const seed = (name: string, contacts: number) =>
  Effect.gen(function* () {
    const storeDir = join(dir, `store-${name}`)
    const source = yield* generatedCopy(dir, `${name}.sqlite`, contacts, 9, "2026-11-29")
    yield* directoryStore(storeDir).upload(KEY, source, { _tag: "IfAbsent" })
    return storeDir
  })

describe("entrypoint.ts (child processes, directory store)", () => {
  it("missing variables: one message listing all of them, exit 2, nothing touched", () => {
    const result = spawnSync(process.execPath, [ENTRYPOINT], { env: environment({ STORAGE: "dir" }), encoding: "utf8" })
    assert.strictEqual(result.status, 2)
    const [line] = logLines(result.stdout)
    assert.strictEqual(line?.annotations.message, "Invalid configuration: ORG_ID is not set; STORAGE_DIR is not set.")
    assert.strictEqual(line?.annotations.org, "unset")
    assert.match(String(line?.annotations.runId), /^run_/, "even a configuration failure names its run")
  })

  it("DATA_DIR inside the store's directory is refused before anything is touched (exit 2)", () => {
    const storeDir = join(dir, "store-overlap")
    mkdirSync(storeDir, { recursive: true })
    const result = spawnSync(process.execPath, [ENTRYPOINT], {
      env: environment({ ORG_ID: "acme", STORAGE: "dir", STORAGE_DIR: storeDir, DATA_DIR: join(storeDir, "org-data") }),
      encoding: "utf8"
    })
    assert.strictEqual(result.status, 2, result.stdout)
    assert.include(logLines(result.stdout).at(-1)?.annotations.message, "must not contain one another")
    assert.deepStrictEqual(readdirSync(storeDir), [])
  })

  it.effect("a DATA_DIR that cannot be created is a local file error: exit 6, named as such, nothing pushed", () =>
    Effect.gen(function* () {
      const storeDir = yield* seed("local", 200)
      const blocker = join(dir, "data-is-a-file")
      writeFileSync(blocker, "")
      const result = spawnSync(process.execPath, [ENTRYPOINT], {
        env: environment({ ORG_ID: "acme", STORAGE: "dir", STORAGE_DIR: storeDir, DATA_DIR: join(blocker, "data") }),
        encoding: "utf8"
      })
      assert.strictEqual(result.status, 6, result.stdout)
      const summary = logLines(result.stdout).at(-1)!
      assert.strictEqual(summary.annotations.error, "LocalFileError")
      assert.strictEqual(readFileSync(join(storeDir, `${KEY}.generation`), "utf8"), "1")
    })
  )

  it.effect("JOB_TIMEOUT stops a job that runs too long: exit 124, nothing pushed, no working copy left", () =>
    Effect.gen(function* () {
      const storeDir = yield* seed("timeout", 10_000)
      const dataDir = join(dir, "data-timeout")
      const result = spawnSync(process.execPath, [ENTRYPOINT], {
        env: environment({
          ORG_ID: "acme",
          STORAGE: "dir",
          STORAGE_DIR: storeDir,
          DATA_DIR: dataDir,
          AS_OF: "2026-12-01",
          JOB_TIMEOUT: "0.2s"
        }),
        encoding: "utf8"
      })
      assert.strictEqual(result.status, 124, result.stdout)
      const summary = logLines(result.stdout).at(-1)!
      assert.strictEqual(summary.annotations.error, "JobTimeout")
      assert.include(summary.annotations.message, "JOB_TIMEOUT (200ms)")
      assert.strictEqual(readFileSync(join(storeDir, `${KEY}.generation`), "utf8"), "1", "nothing was pushed")
      assert.deepStrictEqual(readdirSync(dataDir), [], "the working copy is removed")
    })
  )

  it("mount mode is refused on a Fly.io machine (exit 2): the image has no FUSE tools and Fly no locking", () => {
    const result = spawnSync(process.execPath, [ENTRYPOINT], {
      env: environment({
        ORG_ID: "acme",
        STORAGE: "gcs",
        GCS_BUCKET_NAME: "b",
        SYNC_MODE: "mount",
        FLY_MACHINE_ID: "3d8d9e1a2b3c4d"
      }),
      encoding: "utf8"
    })
    assert.strictEqual(result.status, 2)
    assert.include(logLines(result.stdout).at(-1)?.annotations.message, "SYNC_MODE=mount is not supported on Fly.io")
  })

  it("an OBJECT_KEY that leaves the store, or an AS_OF outside 2000–2100, is refused (exit 2)", () => {
    for (const [variables, expected] of [
      [
        { OBJECT_KEY: "../../etc/passwd" },
        'OBJECT_KEY "../../etc/passwd" must not contain empty, "." or ".." path segments'
      ],
      [{ OBJECT_KEY: "/abs/acme.db" }, 'OBJECT_KEY "/abs/acme.db" must be a relative path'],
      [{ AS_OF: "9999-12-31" }, 'AS_OF must be between 2000-01-01 and 2100-12-31 (got "9999-12-31")']
    ] as const) {
      const result = spawnSync(process.execPath, [ENTRYPOINT], {
        env: environment({ ORG_ID: "acme", STORAGE: "dir", STORAGE_DIR: join(dir, "store-keys"), ...variables }),
        encoding: "utf8"
      })
      assert.strictEqual(result.status, 2, result.stdout)
      assert.include(logLines(result.stdout).at(-1)?.annotations.message, expected)
    }
  })

  it.effect("a process warning during the job is one JSON line with org and run id, not plain text", () =>
    Effect.gen(function* () {
      const storeDir = yield* seed("warning", 2000)
      // A warning raised once the job runs (as an SDK raises its deprecation notices), from a preloaded module.
      const preload =
        "data:text/javascript,setTimeout(() => process.emitWarning('line one\\nline two', 'TestWarning'), 1500)"
      const result = spawnSync(process.execPath, ["--import", preload, ENTRYPOINT], {
        env: environment({
          ORG_ID: "acme",
          STORAGE: "dir",
          STORAGE_DIR: storeDir,
          DATA_DIR: join(dir, "data-warning"),
          AS_OF: "2026-12-01"
        }),
        encoding: "utf8"
      })
      assert.strictEqual(result.status, 0, result.stdout + result.stderr)
      const warning = logLines(result.stdout).find((line) => line.message === "process warning")
      assert.isDefined(warning, result.stdout + result.stderr)
      assert.strictEqual(warning!.annotations.org, "acme")
      assert.strictEqual(warning!.annotations.text, "line one\nline two")
      assert.notInclude(result.stderr, "line two", "nothing printed as plain text")
    })
  )

  it("an unreadable JOB_TIMEOUT is a configuration error (exit 2)", () => {
    const result = spawnSync(process.execPath, [ENTRYPOINT], {
      env: environment({ ORG_ID: "acme", STORAGE: "dir", STORAGE_DIR: join(dir, "x"), JOB_TIMEOUT: "soon" }),
      encoding: "utf8"
    })
    assert.strictEqual(result.status, 2)
    assert.include(logLines(result.stdout).at(-1)?.annotations.message, "JOB_TIMEOUT must be a duration")
  })

  it("--init creates the database in an empty store (exit 0); an unknown flag is refused (exit 2)", () => {
    const storeDir = join(dir, "store-init-flag")
    const env = environment({
      ORG_ID: "acme",
      STORAGE: "dir",
      STORAGE_DIR: storeDir,
      DATA_DIR: join(dir, "data-init-flag"),
      AS_OF: "2026-12-01"
    })
    const without = spawnSync(process.execPath, [ENTRYPOINT], { env, encoding: "utf8" })
    assert.strictEqual(without.status, 4, "no database and no --init: a sync failure")
    const unknown = spawnSync(process.execPath, [ENTRYPOINT, "--inti"], { env, encoding: "utf8" })
    assert.strictEqual(unknown.status, 2, unknown.stdout + unknown.stderr)
    assert.isFalse(existsSync(join(storeDir, KEY)))
    const init = spawnSync(process.execPath, [ENTRYPOINT, "--init"], { env, encoding: "utf8" })
    assert.strictEqual(init.status, 0, init.stdout + init.stderr)
    assert.strictEqual(readFileSync(join(storeDir, `${KEY}.generation`), "utf8"), "1")
  })

  it.effect("pulls, schedules and pushes; JSON logs end with one summary line; exit 0", () =>
    Effect.gen(function* () {
      const storeDir = yield* seed("ok", 2000)
      const result = spawnSync(process.execPath, [ENTRYPOINT], {
        env: environment({
          ORG_ID: "acme",
          STORAGE: "dir",
          STORAGE_DIR: storeDir,
          DATA_DIR: join(dir, "data-ok"),
          AS_OF: "2026-12-01"
        }),
        encoding: "utf8"
      })
      assert.strictEqual(result.status, 0, result.stdout + result.stderr)
      const lines = logLines(result.stdout)
      assert.deepStrictEqual(
        lines.filter((l) => l.message === "phase done").map((l) => l.annotations.phase),
        ["pull", "integrity check after pull", "schedule", "integrity check after run", "snapshot", "push"]
      )
      const summary = lines.at(-1)!
      assert.strictEqual(summary.message, "run succeeded")
      assert.strictEqual(summary.annotations.exitCode, 0)
      assert.match(String(summary.annotations.runId), /^run_/)
      for (const line of lines) {
        assert.strictEqual(line.annotations.runId, summary.annotations.runId, `run id on "${line.message}"`)
        assert.strictEqual(line.annotations.org, "acme", `org on "${line.message}"`)
      }
      assert.strictEqual(readFileSync(join(storeDir, `${KEY}.generation`), "utf8"), "2")
    })
  )

  it.effect("against S3 (the SDK over real HTTP to the in-repo server): pulls, schedules, pushes over the ETag", () =>
    Effect.gen(function* () {
      const fake = yield* Effect.promise(() => startFakeS3())
      const credentials = { accessKeyId: Redacted.make("test"), secretAccessKey: Redacted.make("test") }
      const store = s3Store({ bucket: "orgs", endpoint: fake.endpoint, region: "auto", ...credentials })
      const source = yield* generatedCopy(dir, "s3.sqlite", 1000, 9, "2026-11-29")
      const created = yield* store.upload(KEY, source, { _tag: "IfAbsent" })
      const result = yield* runAsync({
        ORG_ID: "acme",
        STORAGE: "s3",
        BUCKET_NAME: "orgs",
        AWS_ENDPOINT_URL_S3: fake.endpoint,
        AWS_REGION: "auto",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: SECRET,
        DATA_DIR: join(dir, "data-s3"),
        AS_OF: "2026-12-01"
      })
      yield* Effect.promise(() => fake.close())
      assert.strictEqual(result.code, 0, result.stdout)
      const summary = logLines(result.stdout).at(-1)!
      assert.strictEqual(summary.message, "run succeeded")
      assert.notStrictEqual(fake.objects.get(`orgs/${KEY}`)?.etag, created.version, "a new version was pushed")
      assert.notInclude(result.stdout, SECRET, "the secret never reaches the logs")
    })
  )

  it.effect(
    "against GCS (the SDK over real HTTP to the in-repo server): the key file is private and always removed",
    () =>
      Effect.gen(function* () {
        const fake = yield* Effect.promise(() => startFakeGcs())
        const store = gcsStore({ bucket: "orgs", keyFilename: undefined, apiEndpoint: fake.endpoint })
        const source = yield* generatedCopy(dir, "gcs.sqlite", 1000, 9, "2026-11-29")
        const created = yield* store.upload(KEY, source, { _tag: "IfAbsent" })
        const childTmp = join(dir, "tmp-gcs")
        mkdirSync(childTmp, { recursive: true })
        const result = yield* runAsync({
          ORG_ID: "acme",
          STORAGE: "gcs",
          GCS_BUCKET_NAME: "orgs",
          GCS_API_ENDPOINT: fake.endpoint,
          GCS_KEYFILE_JSON: JSON.stringify({ type: "service_account", private_key: SECRET }),
          TMPDIR: childTmp,
          DATA_DIR: join(dir, "data-gcs"),
          AS_OF: "2026-12-01"
        })
        yield* Effect.promise(() => fake.close())
        assert.strictEqual(result.code, 0, result.stdout)
        assert.strictEqual(logLines(result.stdout).at(-1)?.message, "run succeeded")
        assert.notStrictEqual(
          String(fake.objects.get(`orgs/${KEY}`)?.generation),
          created.version,
          "a new generation was pushed"
        )
        assert.deepStrictEqual(readdirSync(childTmp), [], "the temporary key file is gone")
        assert.notInclude(result.stdout, SECRET)
      })
  )

  it.effect("SIGTERM in the middle of a run: nothing is pushed, the remote is unchanged, the key file is gone", () =>
    Effect.gen(function* () {
      const fake = yield* Effect.promise(() => startFakeGcs())
      const store = gcsStore({ bucket: "orgs", keyFilename: undefined, apiEndpoint: fake.endpoint })
      const source = yield* generatedCopy(dir, "term.sqlite", 40_000, 9, "2026-11-29")
      const created = yield* store.upload(KEY, source, { _tag: "IfAbsent" })
      const childTmp = join(dir, "tmp-term")
      mkdirSync(childTmp, { recursive: true })
      const child = spawn(process.execPath, [ENTRYPOINT], {
        env: environment({
          ORG_ID: "acme",
          STORAGE: "gcs",
          GCS_BUCKET_NAME: "orgs",
          GCS_API_ENDPOINT: fake.endpoint,
          GCS_KEYFILE_JSON: JSON.stringify({ type: "service_account", private_key: SECRET }),
          TMPDIR: childTmp,
          DATA_DIR: join(dir, "data-term")
        })
      })
      let stdout = ""
      let keyFileSeen = false
      let keyModes: ReadonlyArray<number> = []
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString()
        // Interrupt once the scheduler has started: after the pull, before any push.
        if (stdout.includes('"phase":"integrity check after pull"') && !child.killed) {
          const [keyDir] = readdirSync(childTmp)
          keyFileSeen = keyDir !== undefined
          if (keyDir !== undefined) {
            // Private: only the job's user can list the directory or read the key.
            keyModes = [
              statSync(join(childTmp, keyDir)).mode & 0o777,
              statSync(join(childTmp, keyDir, "key.json")).mode & 0o777
            ]
          }
          child.kill("SIGTERM")
        }
      })
      const code = yield* Effect.promise(
        () => new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)))
      )
      yield* Effect.promise(() => fake.close())
      assert.strictEqual(code, 143)
      assert.notInclude(stdout, '"phase":"push"')
      assert.strictEqual(
        String(fake.objects.get(`orgs/${KEY}`)?.generation),
        created.version,
        "the remote copy is unchanged"
      )
      assert.isTrue(keyFileSeen, "the key file existed during the run")
      assert.deepStrictEqual(keyModes, [0o700, 0o600])
      assert.deepStrictEqual(readdirSync(childTmp), [], "and is gone after the interruption")
    })
  )
})
