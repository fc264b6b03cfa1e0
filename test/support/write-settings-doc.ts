/** `npm run settings-doc`: rewrites docs/settings.md from SettingsSchema. */
import { writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { renderSettingsMarkdown } from "../../src/cli/settings-help.js"

// Run from the repository root.
writeFileSync(resolve("docs/settings.md"), renderSettingsMarkdown())
