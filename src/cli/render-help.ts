/**
 * Build step (`npm run build`): renders `--help` and the help of the commands with setting flags into
 * dist/src/cli/help*.txt, which bin.ts prints without loading Effect and the scheduler (issue 11).
 */
import { execFileSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

import { RENDERED_HELP_COMMANDS, renderedHelpFile } from "./rendered-help.js"

const main = fileURLToPath(new URL("./main.js", import.meta.url))
const render = (args: ReadonlyArray<string>, file: URL) =>
  writeFileSync(file, execFileSync(process.execPath, [main, ...args]))

render(["--help"], renderedHelpFile())
for (const command of RENDERED_HELP_COMMANDS) render([command, "--help"], renderedHelpFile(command))
