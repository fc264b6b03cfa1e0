import { readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Exit, Schema } from "effect"
import { ContactRow, validateContact } from "../../src/domain/contact.js"
import { isValidEmail } from "../../src/domain/email-address.js"
import { generateDatabase } from "../../src/generate/generate.js"
import { RULE_STATES } from "../../src/rules/rulesets.js"
import { useTempDir } from "../support/files.js"

const dir = useTempDir("generator")
const AS_OF = "2026-11-29"
const generate = (name: string, seed: number, contacts = 3000) =>
  generateDatabase({ path: join(dir, name), contacts, seed, asOf: AS_OF, force: false }).pipe(
    Effect.as(join(dir, name))
  )

type Row = Record<string, unknown>
const query = (db: BetterSqlite3.Database, sql: string): Array<Row> => db.prepare(sql).all() as Array<Row>
const decodeContact = Schema.decodeUnknownSync(ContactRow)
const count = (db: BetterSqlite3.Database, sql: string): number => Number(query(db, sql)[0]?.n)

describe("data generator", () => {
  it.effect("is deterministic: the same seed gives a byte-identical file, another seed another file", () =>
    Effect.gen(function* () {
      const a = yield* generate("a.sqlite", 7)
      const b = yield* generate("b.sqlite", 7)
      const c = yield* generate("c.sqlite", 8)
      assert.isTrue(readFileSync(a).equals(readFileSync(b)), "same seed, same bytes")
      assert.isFalse(readFileSync(a).equals(readFileSync(c)), "another seed, other data")
    })
  )

  it.effect("refuses to overwrite an existing file without force and leaves it intact", () =>
    Effect.gen(function* () {
      const path = yield* generate("keep.sqlite", 1, 50)
      const before = readFileSync(path)
      const exit = yield* Effect.exit(generate("keep.sqlite", 2, 50))
      assert.isTrue(Exit.isFailure(exit))
      assert.isTrue(readFileSync(path).equals(before))
    })
  )

  it.effect("produces every kind of row the product meets in production", () =>
    Effect.gen(function* () {
      const db = new BetterSqlite3(yield* generate("kinds.sqlite", 1), { readonly: true })
      const contacts = query(db, "SELECT * FROM contacts ORDER BY id").map((row) => decodeContact(row))
      assert.strictEqual(contacts.length, 3000)
      const validated = contacts.map((row) => validateContact(row))
      const has = (issue: string) => validated.filter((c) => c.issues.includes(issue as never)).length

      // States weighted by 65+ residents, every rule state present.
      const states = new Map<string, number>()
      for (const c of validated) if (c.state) states.set(c.state, (states.get(c.state) ?? 0) + 1)
      for (const state of RULE_STATES) assert.isTrue((states.get(state) ?? 0) > 0, `rule state ${state}`)
      assert.isAbove(states.get("CA") ?? 0, 5 * (states.get("WY") ?? 0), "CA outweighs WY")

      // ZIPs valid for the state, with disagreements and missing ZIPs.
      assert.isAbove(has("state_differs_from_zip"), 30)
      assert.isAbove(contacts.filter((c) => c.zip_code === null || c.zip_code === "").length, 60)
      assert.isAbove(contacts.filter((c) => /^\d{5}-\d{4}$/.test(c.zip_code ?? "")).length, 10)
      const agreeing = validated.filter((c, i) => c.state !== undefined && contacts[i]?.state === c.state).length
      assert.isAbove(agreeing / contacts.length, 0.85)

      // Birth dates 1935–1961 including Feb 29; effective dates on the 1st, some in the future, some missing.
      const births = validated.flatMap((c) => (c.birthDate ? [c.birthDate] : []))
      assert.isTrue(births.every((d) => d >= "1935-01-01" && d <= "1961-12-31"))
      assert.isTrue(births.some((d) => d.endsWith("-02-29")))
      assert.isTrue(
        contacts.some((c) => (c.birth_date ?? "").includes(" ")) &&
          contacts.some((c) => (c.birth_date ?? "").includes("T"))
      )
      const effective = validated.flatMap((c) => (c.effectiveDate ? [c.effectiveDate] : []))
      assert.isAbove(effective.filter((d) => d.endsWith("-01")).length / effective.length, 0.8)
      assert.isAbove(effective.filter((d) => d > AS_OF).length, 10)
      assert.isAbove(contacts.filter((c) => c.effective_date === null).length, 100)

      // About 2 % bad rows, of each kind.
      const invalidEmail = contacts.filter((c) => !isValidEmail(c.email ?? "")).length
      const noLocation = contacts.filter(
        (c) => (c.zip_code === null || c.zip_code === "ABCDE") && (c.state === null || c.state === "XX")
      ).length
      assert.isAbove(invalidEmail, 5)
      assert.isAbove(has("bad_date"), 5)
      assert.isAbove(noLocation, 5)
      assert.approximately((invalidEmail + has("bad_date") + noLocation) / contacts.length, 0.02, 0.008)

      // The organization and its campaigns.
      assert.deepStrictEqual(query(db, "SELECT id, active, timezone FROM organizations"), [
        { id: 1, active: 1, timezone: "America/Chicago" }
      ])
      const types = query(
        db,
        "SELECT name, target_all_contacts, spread_evenly, days_before_event FROM campaign_types ORDER BY id"
      )
      assert.deepStrictEqual(
        types.map((t) => t.name),
        ["rate_increase", "promotion", "initial_blast", "check_in"]
      )
      assert.strictEqual(types[1]?.spread_evenly, 1)
      assert.strictEqual(types[2]?.target_all_contacts, 1)
      const instances = query(db, "SELECT * FROM campaign_instances ORDER BY id")
      assert.isNotNull(instances[1]?.spread_start_date)
      assert.strictEqual(instances[2]?.target_states, "ALL")
      assert.match(String(instances[0]?.target_states), /TX/)
      assert.match(String(instances[0]?.target_carriers), /Aetna/)
      assert.isAbove(
        count(
          db,
          "SELECT count(*) AS n FROM contact_campaigns WHERE campaign_instance_id = 1 AND trigger_date IS NOT NULL"
        ),
        10
      )
      assert.isAbove(count(db, "SELECT count(*) AS n FROM contact_campaigns WHERE trigger_date IS NULL"), 0)

      // Sent and delivered emails of the last 35 days, with clicks and eligibility answers.
      const sent = query(db, "SELECT status, scheduled_send_date AS d FROM email_schedules")
      assert.isAbove(sent.length, 40)
      assert.isTrue(sent.every((r) => String(r.d) >= "2026-10-25" && String(r.d) < AS_OF))
      assert.deepStrictEqual([...new Set(sent.map((r) => r.status))].sort(), ["delivered", "sent"])
      assert.isAbove(count(db, "SELECT count(*) AS n FROM tracking_clicks"), 10)
      const answers = query(db, "SELECT metadata FROM contact_events WHERE event_type = 'eligibility_answered'").map(
        (r) => String(r.metadata)
      )
      assert.isTrue(answers.some((m) => m.includes('"has_medical_conditions":true')))
      assert.isTrue(answers.some((m) => m.includes('"has_medical_conditions":false')))
      db.close()
    })
  )
})
