import { spawnSync } from "node:child_process"
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { directoryStore } from "../../src/storage/directory-store.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const ENTRYPOINT = fileURLToPath(new URL("../../dist/entrypoint.js", import.meta.url))
const dir = useTempDir("mount")
const KEY = "org-data/acme.db"

/** A real FUSE mount needs /dev/fuse and bindfs (.ci/run installs bindfs and fuse3). */
const fuseProblem = (() => {
  try {
    accessSync("/dev/fuse", constants.R_OK | constants.W_OK)
  } catch {
    return "/dev/fuse is not usable here"
  }
  return spawnSync("sh", ["-c", "command -v bindfs"]).status === 0 ? undefined : "bindfs is not installed"
})()

const isMountPoint = (path: string) => spawnSync("mountpoint", ["-q", path]).status === 0

const runEntrypoint = (storeDir: string, name: string, mountCommand: string) => {
  const mountPoint = join(dir, `mnt-${name}`)
  const result = spawnSync(process.execPath, [ENTRYPOINT], {
    env: {
      PATH: process.env.PATH ?? "",
      ORG_ID: "acme",
      STORAGE: "dir",
      STORAGE_DIR: storeDir,
      SYNC_MODE: "mount",
      MOUNT_POINT: mountPoint,
      MOUNT_COMMAND: mountCommand,
      DATA_DIR: join(dir, `data-${name}`),
      AS_OF: "2026-12-01"
    },
    encoding: "utf8"
  })
  const lines = result.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { message: string; annotations: Record<string, unknown> })
  return { code: result.status, lines, mountPoint }
}

const seed = (name: string) =>
  Effect.gen(function* () {
    const storeDir = join(dir, `bucket-${name}`)
    const source = yield* generatedCopy(dir, `${name}.sqlite`, 1000, 4, "2026-11-29")
    yield* directoryStore(storeDir).upload(KEY, source, { _tag: "IfAbsent" })
    return storeDir
  })

describe.skipIf(fuseProblem !== undefined)(
  `mount mode through a real FUSE mount (bindfs)${fuseProblem ? `: skipped, ${fuseProblem}` : ""}`,
  () => {
    it.effect("mounts, pulls and pushes through SQLite copies, and unmounts", () =>
      Effect.gen(function* () {
        const storeDir = yield* seed("ok")
        const { code, lines, mountPoint } = runEntrypoint(storeDir, "ok", "bindfs {bucket} {mountPoint}")
        assert.strictEqual(code, 0, JSON.stringify(lines.at(-1)))
        assert.deepStrictEqual(
          lines.map((l) => l.message).filter((m) => m === "mounted" || m === "unmounted"),
          ["mounted", "unmounted"]
        )
        assert.strictEqual(readFileSync(join(storeDir, `${KEY}.generation`), "utf8"), "2")
        assert.isFalse(isMountPoint(mountPoint))
      })
    )

    it("a failing mount command is a MountError with its stderr, exit 3", () => {
      const storeDir = join(dir, "bucket-none")
      mkdirSync(storeDir, { recursive: true })
      const { code, lines } = runEntrypoint(storeDir, "fail", "bindfs /definitely/missing/source {mountPoint}")
      assert.strictEqual(code, 3)
      const summary = lines.at(-1)!
      assert.strictEqual(summary.annotations.error, "MountError")
      assert.match(String(summary.annotations.message), /bindfs .*failed: .+/)
    })

    it.effect("unmounts on a failure path too (a corrupt database: exit 5, nothing pushed)", () =>
      Effect.gen(function* () {
        const storeDir = join(dir, "bucket-corrupt")
        const broken = join(dir, "broken.db")
        writeFileSync(broken, Buffer.alloc(8192, 7))
        yield* directoryStore(storeDir).upload(KEY, broken, { _tag: "IfAbsent" })
        const { code, lines, mountPoint } = runEntrypoint(storeDir, "corrupt", "bindfs {bucket} {mountPoint}")
        assert.strictEqual(code, 5, JSON.stringify(lines.at(-1)))
        assert.include(
          lines.map((l) => l.message),
          "unmounted"
        )
        assert.isFalse(isMountPoint(mountPoint))
        assert.strictEqual(readFileSync(join(storeDir, `${KEY}.generation`), "utf8"), "1")
      })
    )
  }
)
