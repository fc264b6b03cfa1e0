import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"

/** A private temporary directory for this test file, removed when its tests end. */
export const useTempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `email-scheduler-${prefix}-`))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
