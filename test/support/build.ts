import { execFileSync } from "node:child_process"

/**
 * The CLI tests run the built program as a user would (`node dist/src/cli/bin.js`), so build it once first, exactly as
 * `npm run build` does: compile, bundle, render the help.
 */
export default function setup(): void {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: ["ignore", "ignore", "inherit"] })
}
