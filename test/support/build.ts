import { execFileSync } from "node:child_process"
import { writeFileSync } from "node:fs"

/** The CLI tests run the built program as a user would (`node dist/src/cli/bin.js`), so build it once first. */
export default function setup(): void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" })
  // As `npm run build` does: the help `bin.js --help` prints without loading the program.
  writeFileSync("dist/src/cli/help.txt", execFileSync(process.execPath, ["dist/src/cli/main.js", "--help"]))
}
