import { assert, describe, it } from "vitest"
import { warningAsJsonLine } from "../../src/production/warnings.js"

describe("process warnings in the production job's log (issue 15)", () => {
  it("a multi-line warning becomes one JSON line with org and run id", () => {
    const warning = new Error("The AWS SDK for JavaScript (v3)\nversions published after …\nwill require node >=22.")
    warning.name = "NodeVersionSupportWarning"
    const line = warningAsJsonLine(warning, { org: "acme", runId: "run_1" })
    assert.notInclude(line, "\n")
    const parsed = JSON.parse(line)
    assert.strictEqual(parsed.logLevel, "WARN")
    assert.deepStrictEqual(parsed.annotations, {
      org: "acme",
      runId: "run_1",
      warning: "NodeVersionSupportWarning",
      text: warning.message
    })
  })
})
