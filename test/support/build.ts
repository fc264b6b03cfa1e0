import { execFileSync } from "node:child_process"

/** The CLI tests run the built program as a user would (`node dist/src/cli/bin.js`), so build it once first. */
export default function setup(): void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" })
  // As `npm run build` does: the help `bin.js --help` (and `run --help`, ...) prints without loading the program.
  execFileSync(process.execPath, ["dist/src/cli/render-help.js"], { stdio: "inherit" })
}
