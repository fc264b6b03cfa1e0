#!/usr/bin/env node
/**
 * The command-line entry. `--help` alone prints the help the build rendered (dist/src/cli/help.txt: `npm run build`
 * runs `main.js --help` into it), without loading Effect and the scheduler: on this project's machines that takes two seconds, and
 * an operator asking for help should not wait (issue 11). Everything else, and `--help` when the rendered help is
 * missing, goes to the full program (main.ts).
 */
import { readFileSync } from "node:fs"

const renderedHelp = (): string | undefined => {
  try {
    return readFileSync(new URL("./help.txt", import.meta.url), "utf8")
  } catch {
    return undefined
  }
}

const args = process.argv.slice(2)
const help = args.length === 1 && args[0] === "--help" ? renderedHelp() : undefined
if (help !== undefined) process.stdout.write(help)
else await import("./main.js")
