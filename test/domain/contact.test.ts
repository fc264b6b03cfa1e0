import { assert, describe, it } from "@effect/vitest"
import { ContactRow, validateContact } from "../../src/domain/contact.js"
import { isValidEmail } from "../../src/domain/email-address.js"
import { stateOfZip5, zip5Of } from "../../src/domain/states.js"

const row = (fields: Partial<ContactRow>): ContactRow =>
  ContactRow.make({
    id: 1,
    email: "ann.lee@example.com",
    current_carrier: null,
    birth_date: null,
    effective_date: null,
    state: null,
    zip_code: null,
    ...fields
  })

describe("email rule (spec §3.2)", () => {
  const valid = ["a@b.co", " ann.lee+medigap@mail.example.com ", "x_y%z-1@sub-domain.example.org", "A@B.CO"]
  const invalid = [
    "",
    "not-an-email",
    "jane.doe@",
    "@example.com",
    "john@localhost",
    "mary smith@aol.com",
    "a@b.c",
    "a@b..com",
    "a@@b.com",
    "a@b.c0m",
    "a@-.com2",
    "a@b_c.com",
    "ann@example.com."
  ]
  for (const email of valid) it(`accepts ${JSON.stringify(email)}`, () => assert.isTrue(isValidEmail(email)))
  for (const email of invalid) it(`rejects ${JSON.stringify(email)}`, () => assert.isFalse(isValidEmail(email)))
})

describe("ZIP → state (spec §3.4)", () => {
  it("accepts 5 digits, 5+4 with a dash and 9 digits", () => {
    assert.deepStrictEqual(["75201", " 75201-1234 ", "752011234"].map(zip5Of), ["75201", "75201", "75201"])
    assert.deepStrictEqual(["7520", "75201-12", "ABCDE", "", null].map(zip5Of), [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined
    ])
  })

  it("looks states up in the pinned zipcodes dataset", () => {
    assert.strictEqual(stateOfZip5("10001"), "NY")
    assert.strictEqual(stateOfZip5("75201"), "TX")
    assert.strictEqual(stateOfZip5("99999"), undefined)
  })
})

describe("contact validation (spec §3, example E30)", () => {
  it("contact 71: unknown ZIP and invalid state column → no state", () => {
    const contact = validateContact(row({ id: 71, zip_code: "99999", state: "XX" }))
    assert.strictEqual(contact.state, undefined)
    assert.deepStrictEqual(contact.issues, ["no_state"])
  })

  it("contact 72: the ZIP wins over a conflicting state column", () => {
    const contact = validateContact(row({ id: 72, zip_code: "75201", state: "OK", birth_date: "1950-08-20" }))
    assert.strictEqual(contact.state, "TX")
    assert.strictEqual(contact.birthDate, "1950-08-20")
    assert.deepStrictEqual(contact.issues, ["state_differs_from_zip"])
  })

  it("contact 73: invalid email", () => {
    const contact = validateContact(row({ id: 73, email: "not-an-email", state: "TX" }))
    assert.isFalse(contact.emailValid)
    assert.deepStrictEqual(contact.issues, ["invalid_email"])
  })

  it("contact 74: bad ZIP, no state, bad date → missing date with a warning", () => {
    const contact = validateContact(row({ id: 74, zip_code: "ABCDE", birth_date: "1950-13-01" }))
    assert.strictEqual(contact.birthDate, undefined)
    assert.deepStrictEqual(contact.issues, ["no_state", "bad_date"])
  })

  it("falls back to the trimmed, upper-cased state column when the ZIP is missing or unknown", () => {
    assert.strictEqual(validateContact(row({ state: " wa " })).state, "WA")
    assert.strictEqual(validateContact(row({ state: "pr", zip_code: "00000" })).state, "PR")
    assert.strictEqual(validateContact(row({ state: "NY", zip_code: "10001" })).issues.length, 0)
  })

  it("counts a bad effective date too, once", () => {
    const contact = validateContact(row({ state: "TX", birth_date: "06/15/1950", effective_date: "2020-02-30" }))
    assert.deepStrictEqual(contact.issues, ["bad_date"])
    assert.strictEqual(contact.effectiveDate, undefined)
  })

  it("a birth date after the business date is invalid data: bad_date, no birthday (issue 15)", () => {
    for (const birth of ["2090-05-01", "9999-12-31", "2026-12-02"]) {
      const contact = validateContact(row({ state: "TX", birth_date: birth }), "2026-12-01")
      assert.deepStrictEqual(contact.issues, ["bad_date"], birth)
      assert.strictEqual(contact.birthDate, undefined)
    }
    const today = validateContact(row({ state: "TX", birth_date: "2026-12-01" }), "2026-12-01")
    assert.strictEqual(today.birthDate, "2026-12-01", "born today is a date, if an unlikely one")
    assert.strictEqual(validateContact(row({ state: "TX", birth_date: "2090-05-01" })).birthDate, "2090-05-01")
  })

  it("trims the carrier; empty means none; a NULL email is invalid", () => {
    assert.strictEqual(validateContact(row({ current_carrier: "  Aetna " })).carrier, "Aetna")
    assert.strictEqual(validateContact(row({ current_carrier: "   " })).carrier, undefined)
    assert.isFalse(validateContact(row({ email: null })).emailValid)
  })
})
