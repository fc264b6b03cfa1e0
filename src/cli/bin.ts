#!/usr/bin/env node
/**
 * The command-line entry. `--help` alone, and `run --help` / `explain --help` / `preview --help`, print the help the
 * build rendered (render-help.ts), without loading Effect and the scheduler: on this project's machines that takes two
 * seconds, and an operator asking for help should not wait (issue 11). Everything else, and `--help` when the rendered
 * help is missing, goes to the full program (main.ts, bundled by the build), under the heap settings the scheduler is
 * measured with (runtime-settings.ts).
 */
import { existsSync, readFileSync } from "node:fs"
import { RENDERED_HELP_COMMANDS, renderedHelpFile } from "./rendered-help.js"
import { relaunchWithSettings } from "./runtime-settings.js"

const renderedHelp = (file: URL): string | undefined => {
  try {
    return readFileSync(file, "utf8")
  } catch {
    return undefined
  }
}

const args = process.argv.slice(2)
const command = args[0] ?? ""
const help =
  args.length === 1 && command === "--help"
    ? renderedHelp(renderedHelpFile())
    : args.length === 2 && args[1] === "--help" && RENDERED_HELP_COMMANDS.includes(command)
      ? renderedHelp(renderedHelpFile(command))
      : undefined
/**
 * Started without the heap settings of runtime-settings.ts (plain `node`, `npx email-scheduler`, `npm run demo`), the
 * program replaces itself with the same command under them: `process.execve` keeps the process id, the terminal, the
 * signals and the exit code, so nothing else can tell. Where Node cannot (Windows), or should it fail, the program
 * runs as started.
 */
const relaunch = help === undefined ? relaunchWithSettings(process) : undefined
if (relaunch !== undefined && process.execve !== undefined) {
  try {
    process.execve(process.execPath, relaunch.argv, relaunch.env)
  } catch {
    // Runs as started, with Node's own heap defaults.
  }
}

/**
 * The program as one bundled file (`npm run bundle`): loading it takes a third of the time of the hundreds of modules
 * it is made of (issue 11: `explain` of one contact in under a second). Without a build, the modules themselves.
 */
const BUNDLE = new URL("./bundle/main.js", import.meta.url)

if (help !== undefined) process.stdout.write(help)
else if (existsSync(BUNDLE)) await import(BUNDLE.href)
else await import("./main.js")
