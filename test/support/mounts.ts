import { spawnSync } from "node:child_process"
import { mkdirSync } from "node:fs"
import { afterAll } from "vitest"

/**
 * Real mounts for tests that need a read-only directory or a small disk (root only), unmounted when the file's tests
 * end; undefined where the sandbox allows no mount, so the test can say why it skips.
 */
export const useMounts = () => {
  const mounted: Array<string> = []
  afterAll(() => {
    for (const target of mounted) spawnSync("umount", [target])
  })
  const done = (target: string, ok: boolean) => {
    if (ok) mounted.push(target)
    return ok ? target : undefined
  }
  return {
    /** A read-only bind mount of `source` at `target`. */
    readOnly: (source: string, target: string): string | undefined => {
      mkdirSync(target, { recursive: true })
      if (spawnSync("mount", ["--bind", source, target]).status !== 0) return undefined
      const ok = spawnSync("mount", ["-o", "remount,ro,bind", target]).status === 0
      if (!ok) spawnSync("umount", [target])
      return done(target, ok)
    },
    /** A tmpfs of `bytes` at `target`. */
    smallDisk: (target: string, bytes: number): string | undefined => {
      mkdirSync(target, { recursive: true })
      return done(target, spawnSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", target]).status === 0)
    }
  }
}
