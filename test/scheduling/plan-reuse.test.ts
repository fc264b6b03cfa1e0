import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Option } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { addDays, toDayNumber } from "../../src/domain/dates.js"
import { type RunReport, runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"
import { sendDueOnBoth } from "../support/sender.js"

const dir = useTempDir("plan-reuse")
const FIRST_DAY = "2026-11-29"

const run = (path: string, asOf: string, reusePlans: boolean, flags: Record<string, string> = {}) =>
  runOnce({
    asOf: Option.some(asOf),
    dryRun: false,
    flags: { batch_size: "400", ...flags },
    runId: `run_${asOf.replaceAll("-", "")}T000000Z_00000000`,
    reusePlans
  }).pipe(Effect.provide(runnableFile(path)))

/** Every row of the tables a run writes, timestamps aside (each run stamps its own clock's time). */
const contents = (path: string): string => {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    const rows = db
      .prepare(
        `SELECT id, contact_id, email_type, scheduled_send_date, scheduled_send_time, status, skip_reason, priority,
          campaign_instance_id, email_template, sms_template, event_year, event_month, event_day, scheduler_run_id,
          metadata, actual_send_datetime FROM email_schedules ORDER BY id`
      )
      .raw()
      .all()
    const enrollments = db.prepare("SELECT id, status FROM contact_campaigns ORDER BY id").raw().all()
    return JSON.stringify({ rows, enrollments })
  } finally {
    db.close()
  }
}

/** What a run reports and records about its plan (its timings and its reuse aside). */
const outcome = (report: RunReport) => ({
  checksums: report.checksums,
  plan: report.plan,
  writes: report.writes,
  contacts: report.contacts,
  dailyVolume: report.dailyVolume,
  warnings: report.warnings,
  malformedRows: report.malformedRows.count
})

/** The same change on both copies, as another application would make it. */
const changeBoth = (paths: ReadonlyArray<string>, statement: string) => {
  for (const path of paths) {
    const db = new BetterSqlite3(path)
    db.exec(statement)
    db.close()
  }
}

/** Records that hold on `today` but whose facts are not a record (`X'05'`, written by hand below). */
const unfitHolding = (path: string, today: string): number => {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    const day = toDayNumber(today)
    const count = db
      .prepare(
        `SELECT count(*) FROM email_scheduler_plan_reuse WHERE facts = X'05' AND made_on <= ? AND holds_until > ?
          AND contact_id NOT IN (SELECT contact_id FROM email_scheduler_changed_contacts)`
      )
      .pluck()
      .get(day, day)
    return Number(count)
  } finally {
    db.close()
  }
}

describe("plan reuse (issue 11): a contact whose plan holds is staged from its record, exactly as planning it", () => {
  it.effect(
    "over nine nights with a sender, contact edits, events, rows written as the scheduler writes, a campaign change and a settings change, the database and the report equal those of planning everyone",
    () =>
      Effect.gen(function* () {
        const reusing = yield* generatedCopy(dir, "reusing.sqlite", 2000, 11, FIRST_DAY)
        const planning = yield* generatedCopy(dir, "planning.sqlite", 2000, 11, FIRST_DAY)
        const both = [reusing, planning]
        const reusedByNight: Array<number> = []
        for (let night = 0; night < 9; night++) {
          const today = addDays(FIRST_DAY, night)
          if (night === 3) {
            changeBoth(
              both,
              `UPDATE contacts SET birth_date = '1950-12-10' WHERE id IN (5, 77, 1500);
               UPDATE contacts SET email = 'no address' WHERE id = 9;
               INSERT INTO contact_events (contact_id, event_type, metadata, created_at)
                 VALUES (12, 'eligibility_answered', '{"has_medical_conditions": true}', '${today} 07:00:00');
               DELETE FROM email_schedules WHERE contact_id = 30 AND status = 'pre-scheduled';`
            )
          }
          if (night === 4) {
            // Rows written as the scheduler writes its own: the counter does not count them, the contacts are recorded.
            changeBoth(
              both,
              `INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, scheduled_send_time, status,
                 priority, scheduler_run_id, metadata, created_at, updated_at)
                 VALUES (44, 'birthday', '${addDays(today, 333)}', '08:30:00', 'pre-scheduled', 10, 'run_injected', '{}', '', '');
               UPDATE email_schedules SET scheduler_run_id = 'run_other', scheduled_send_date = '${addDays(today, 40)}'
                 WHERE id = (SELECT min(id) FROM email_schedules WHERE contact_id = 45 AND status = 'pre-scheduled'
                   AND scheduled_send_date > '${today}');`
            )
          }
          if (night === 5) {
            changeBoth(
              both,
              "UPDATE campaign_instances SET active_end_date = '2026-12-31' WHERE id = (SELECT min(id) FROM campaign_instances)"
            )
          }
          if (night === 6) {
            // Records that hold today but do not fit their contacts' rows (edited by hand: another contact's facts, or
            // bytes that are no record): those contacts are planned, as if they had none.
            changeBoth(
              both,
              `UPDATE email_scheduler_plan_reuse SET facts = (SELECT facts FROM email_scheduler_plan_reuse
                   WHERE contact_id = (SELECT max(contact_id) FROM email_scheduler_plan_reuse))
                 WHERE contact_id IN (SELECT contact_id FROM email_scheduler_plan_reuse ORDER BY contact_id LIMIT 40);
               UPDATE email_scheduler_plan_reuse SET facts = X'05'
                 WHERE contact_id IN (SELECT contact_id FROM email_scheduler_plan_reuse ORDER BY contact_id DESC LIMIT 40 OFFSET 1);`
            )
            // A sent row of a contact whose record holds made unreadable (the change triggers name the contact): the
            // contact is planned, the row is reported and its key stays taken, as when planning everyone.
            changeBoth(
              both,
              `UPDATE email_schedules SET priority = 'high' WHERE id = (SELECT min(id) FROM email_schedules
                 WHERE status = 'sent' AND contact_id = (SELECT contact_id FROM email_scheduler_plan_reuse AS r
                   WHERE made_on <= ${toDayNumber(today)} AND holds_until > ${toDayNumber(today)}
                     AND contact_id NOT IN (SELECT contact_id FROM email_scheduler_changed_contacts)
                     AND contact_id > (SELECT contact_id FROM email_scheduler_plan_reuse ORDER BY contact_id LIMIT 1 OFFSET 40)
                     AND contact_id < (SELECT contact_id FROM email_scheduler_plan_reuse
                       ORDER BY contact_id DESC LIMIT 1 OFFSET 41)
                     AND EXISTS (SELECT 1 FROM email_schedules AS e WHERE e.contact_id = r.contact_id AND e.status = 'sent')
                   ORDER BY contact_id LIMIT 1));`
            )
          }
          const unfitBefore = night === 6 ? unfitHolding(reusing, today) : 0
          const flags = night === 7 ? { birthday_days_before: "10" } : {}
          const withReuse = yield* run(reusing, today, true, flags)
          const everyone = yield* run(planning, today, false, flags)
          assert.deepStrictEqual(outcome(withReuse), outcome(everyone), `the reports of ${today}`)
          assert.strictEqual(contents(reusing), contents(planning), `the databases after ${today}`)
          assert.strictEqual(everyone.contactsReused, 0)
          reusedByNight.push(withReuse.contactsReused)
          if (night === 6) {
            assert.strictEqual(withReuse.malformedRows.count, 1, "the unreadable row is reported")
            assert.isAbove(unfitBefore, 10, "records that hold today but do not fit")
            assert.strictEqual(unfitHolding(reusing, addDays(FIRST_DAY, 6)), 0, "each was planned, and recorded anew")
          }
          sendDueOnBoth(reusing, planning, today)
        }
        // The first run has no records; a night after a night that wrote a contact's rows plans it again; the
        // campaign change (night 5) and the settings change (night 7, and night 8 back to the defaults) plan everyone.
        assert.strictEqual(reusedByNight[0], 0)
        assert.strictEqual(reusedByNight[5], 0, "a campaign changed")
        assert.strictEqual(reusedByNight[7], 0, "the settings changed")
        assert.strictEqual(reusedByNight[8], 0, "the settings changed back")
        for (const night of [3, 4, 6]) {
          assert.isAbove(
            reusedByNight[night]!,
            400,
            `night ${night} reuses a fifth of the plans or more: ${reusedByNight}`
          )
        }
      }),
    { timeout: 240_000 }
  )
})
