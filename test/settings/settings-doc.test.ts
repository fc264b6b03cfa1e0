import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { renderSettingsMarkdown } from "../../src/cli/settings-help.js"
import { SETTING_NAMES } from "../../src/settings/definitions.js"

describe("docs/settings.md (derived from SettingsSchema)", () => {
  it("is exactly what the schema renders (run `npm run settings-doc` after changing a setting)", () => {
    const written = readFileSync(new URL("../../docs/settings.md", import.meta.url), "utf8")
    assert.strictEqual(written, renderSettingsMarkdown())
    for (const name of SETTING_NAMES) assert.include(written, `| \`${name}\` |`)
  })
})
