import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { MalformedRow, printable } from "../../src/db/decode.js"

describe("malformed-row messages are one printable line (issue 15)", () => {
  it("escapes NUL, escape sequences and newlines from the row's value", () => {
    const row = new MalformedRow({
      table: "contacts",
      id: 7,
      problem: 'email: Expected string, actual "\u0000\u001b[31mred\nline"'
    })
    assert.strictEqual(
      row.message,
      'contacts row 7 is malformed: email: Expected string, actual "\\u0000\\u001b[31mred\\u000aline"'
    )
  })

  it.prop("no control character survives, and printable text is left as it is", [Schema.String], ([text]) => {
    const shown = printable(text)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the property is that none remain
    if (/[\u0000-\u001f\u007f-\u009f]/.test(shown)) return false
    // biome-ignore lint/suspicious/noControlCharactersInRegex: text without them must come back unchanged
    return /[\u0000-\u001f\u007f-\u009f]/.test(text) || shown === text
  })
})
