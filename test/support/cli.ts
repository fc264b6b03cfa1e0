import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

export const BIN = fileURLToPath(new URL("../../dist/src/cli/bin.js", import.meta.url))

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the built CLI in a child process with only the given SCHEDULER_* variables set. */
export const runCli = (args: ReadonlyArray<string>, env: Record<string, string> = {}): CliResult => {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("SCHEDULER_")))
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { ...inherited, ...env, NO_COLOR: "1" },
    timeout: 120_000
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}
