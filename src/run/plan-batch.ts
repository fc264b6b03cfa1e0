import { Effect } from "effect"
import {
  BalanceContacts,
  BalanceItems,
  EmailTypeCodes,
  type ItemColumns,
  keyCode,
  NO_DAY,
  NO_EVENT_YEAR,
  NO_LATEST_DAY,
  type OwnerColumns
} from "../balance/index.js"
import type { ContactIdRange, Database } from "../db/Database.js"
import type { MalformedRow } from "../db/decode.js"
import { type Contact, type ContactRow, validateContact } from "../domain/contact.js"
import { civilFromDayNumber, dateFromDayNumber, dayNumberOf, readLooseDate, toDayNumber } from "../domain/dates.js"
import { type EmailScheduleRow, isHandledStatus } from "../domain/email.js"
import { sortInPlace } from "../domain/sort-in-place.js"
import type { PlanContext, PlannedEmail, PlanStatus } from "../plan/index.js"
import { type ContactCensus, makeCensus, makePlanSummary, type PlanSummary, storedEventDay } from "../plan/index.js"
import { canonicalJson } from "../rules/canonical-json.js"
import { malformedTally, planContactRow, type Related, readRelated } from "./batch-input.js"
import { contactLine } from "./checksums.js"
import {
  decodeFacts,
  HOLDS_FOREVER,
  type ReuseFacts,
  recordBuilder,
  recordStrings,
  VarintWriter
} from "./plan-reuse.js"
import {
  NO_EVENT_DAY,
  recordOn,
  type StagedRow,
  type StoredKeyColumns,
  StringCodes,
  writeStagedRow,
  writeStoredKeys
} from "./staged-rows.js"
import type { PageStager, StagedExtent } from "./staging.js"
import { differs } from "./write.js"

/** One write batch to plan: a contiguous range of contact ids, the `index`-th of the run (spec §12.2). */
export interface BatchRange extends ContactIdRange {
  readonly index: number
}

/**
 * Everything pass 1 learns from one batch, self-contained (its own type and string codes) and merged into the run in
 * batch order: the staged rows, the balance columns of its pre-scheduled rows, its contacts' taken keys, and its part
 * of the census, the checksum, the summary and the warnings.
 */
export interface BatchPlan extends BatchRange {
  /** Where the batch's staged rows are (in the planning thread's file when that thread planned it). */
  readonly extent: StagedExtent
  readonly typeNames: ReadonlyArray<string>
  readonly strings: ReadonlyArray<string | null>
  readonly items: ItemColumns
  readonly owners: OwnerColumns
  readonly census: ContactCensus
  /** The contacts checksum lines of the batch, joined by `\n` (spec §12.5). */
  readonly contactLines: string
  readonly summary: PlanSummary
  readonly warnings: ReadonlyArray<string>
  readonly malformedRows: { readonly count: number; readonly sample: ReadonlyArray<MalformedRow> }
  readonly droppedHandled: number
  readonly droppedDuplicate: number
  readonly planRows: number
  /** Planned rows that meet no stored row on their key (inserts, unless the sender changes something first). */
  readonly newRows: number
  /** The stored email rows read for the batch's contacts. */
  readonly storedRows: number
  /** The planned contacts, in id order (each with its stored rows' keys staged before its planned rows). */
  readonly contactIds: Int32Array
  /** Stored email rows of the range that could not be decoded: never touched, their keys stay taken. */
  readonly undecodableIds: ReadonlyArray<number>
  /** Contacts staged from their plan reuse record instead of planned (run/plan-reuse.ts). */
  readonly reused: number
  /** Contacts with a plan reuse record that were planned again: their records no longer hold. */
  readonly staleRecords: Int32Array
  /**
   * Records (run/plan-reuse.ts `recordBuilder`) of the planned contacts whose stored rows were their plan: stored
   * unless balancing moves one of their rows.
   */
  readonly reuseRecords: Uint8Array
  /** Enrollment statuses to write (spec §7.9). */
  readonly enrollmentUpdates: ReadonlyArray<{
    readonly id: number
    readonly status: string
    readonly contactId: number
  }>
}

const NO_MOVE = { steps: 0, jitter: 0 } as const
const NO_RECORDS: ReadonlyMap<number, ReuseFacts> = new Map()

/** A reused contact's stored keys, as the write pass reads them: every row, in id order. */
const reusedKeys = (facts: ReuseFacts): Array<StoredKeyColumns> => {
  const keys: Array<StoredKeyColumns> = []
  for (const row of facts.rows) {
    keys.push({
      id: row.id,
      email_type: row.emailType,
      scheduled_send_date: dateFromDayNumber(row.startDay),
      status: row.skipped ? "skipped" : "pre-scheduled",
      campaign_instance_id: row.campaignInstanceId
    })
  }
  for (const row of facts.handled) {
    keys.push({
      id: row.id,
      email_type: row.emailType,
      scheduled_send_date: dateFromDayNumber(row.day),
      status: row.status,
      campaign_instance_id: row.campaignInstanceId
    })
  }
  return sortInPlace(keys, byId)
}

type ReuseInputs = Effect.Effect.Success<ReturnType<Database["planReuseOf"]>>

const byId = (a: { readonly id: number }, b: { readonly id: number }): number => a.id - b.id

/** The contact's stored rows that are the scheduler's own (pre-scheduled or skipped). */
const ownedCount = (rows: ReadonlyArray<EmailScheduleRow>): number => {
  let owned = 0
  for (const row of rows) if (!isHandledStatus(row.status)) owned++
  return owned
}

/**
 * Contacts whose related rows are read at once: a write batch is up to 25,000 of them (issue 11's memory). A page's
 * rows live until its contacts are planned, so the garbage collector moves them out of the young generation; with
 * 5,000 contacts a page the 1 M night after a sender peaked at 562 MiB, with 1,000 at 510 MiB (500: 514), in the same
 * time.
 */
const PLANNING_PAGE = 1_000

/**
 * The stored row with this key (the last, as ids ascend, should a database without the unique index hold two). A
 * contact has a handful of rows: a scan costs less than a map of joined key texts built for every contact.
 */
const storedOn = (
  rows: ReadonlyArray<EmailScheduleRow>,
  emailType: string,
  date: string
): EmailScheduleRow | undefined => {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!
    if (row.scheduled_send_date === date && row.email_type === emailType) return row
  }
  return undefined
}

const eventDayOf = (row: PlannedEmail): number =>
  row.eventDate === undefined ? NO_EVENT_DAY : toDayNumber(row.eventDate)

/**
 * Pass 1 for one batch (spec §11 steps 2–8): reads its contacts with their stored rows, events, clicks and enrollments,
 * validates and plans each contact once, and stages every planned row. A row already stored exactly as it would be
 * written on its start day is staged without its metadata: pass 2 needs nothing more unless balancing moves it.
 */
export const planBatch = <E>(
  db: Database,
  range: BatchRange,
  context: PlanContext,
  time: string,
  stager: PageStager<E>,
  /** Stage a contact from its plan reuse record when it has a valid one (run/plan-reuse.ts). */
  reuse = false
) =>
  Effect.gen(function* () {
    const { writer } = stager
    const contactRows = yield* db.contactsBetween(range)
    const census = makeCensus()
    const summary = makePlanSummary()
    const malformed = malformedTally()
    const warnings = new Set<string>()
    const items = new BalanceItems()
    const owners = new BalanceContacts()
    const types = new EmailTypeCodes()
    const strings = new StringCodes()
    const ruleStates = new Set<string>(context.exclusion.ruleset.rules.map((rule) => rule.state))
    const lines: Array<string> = []
    const contactIds: Array<number> = []
    const enrollmentUpdates: Array<{ id: number; status: string; contactId: number }> = []
    let droppedHandled = 0
    let droppedDuplicate = 0
    let planRows = 0
    let newRows = 0
    let storedRows = 0
    let nextMalformed = 0
    const badContacts = contactRows.malformed
    const undecodableIds: Array<number> = []
    const todayDay = toDayNumber(context.today)
    const recordBytes = new VarintWriter()
    const recordCodes = recordStrings(ruleStates, context.campaigns.typesByName.keys(), context.campaigns.templates)
    const reuseRecord = recordBuilder(recordCodes, todayDay)
    /** Contacts planned again that had a record: it no longer holds. */
    const staleRecords: Array<number> = []
    let reused = 0

    /**
     * The balance contact of a contact with pre-scheduled rows: `taken` holds its rows' keys, then its handled rows'
     * keys.
     */
    const addOwner = (contact: Contact, taken: Array<number>): void => {
      const inRuleState = contact.state !== undefined && ruleStates.has(contact.state)
      owners.add(taken, {
        state: inRuleState ? contact.state : undefined,
        birthDay: contact.birthDate === undefined ? NO_DAY : toDayNumber(contact.birthDate),
        effectiveDay: contact.effectiveDate === undefined ? NO_DAY : toDayNumber(contact.effectiveDate)
      })
    }

    /**
     * Stages a contact from its plan reuse record, exactly as planning it would: the record was made when its stored
     * rows were its plan, nothing it depends on changed since (its rows neither, so they are not read), and its plan
     * holds today.
     */
    const reuseOne = (row: ContactRow, facts: ReuseFacts): void => {
      const contact = validateContact(row, context.today)
      census.addContact(contact)
      planRows += facts.rows.length
      droppedHandled += facts.droppedHandled
      droppedDuplicate += facts.droppedDuplicate
      contactIds.push(contact.id)
      writeStoredKeys(writer, reusedKeys(facts), strings)
      storedRows += facts.rows.length + facts.handled.length
      reused++
      const owner = owners.length
      const taken: Array<number> = []
      let balanced = false
      for (const fact of facts.rows) {
        const status: PlanStatus = fact.skipped ? "skipped" : "pre-scheduled"
        summary.add({ emailType: fact.emailType, status, skipReason: fact.skipReason }, contact.state)
        const typeCode = types.code(fact.emailType)
        taken.push(keyCode(typeCode, fact.startDay))
        const item = fact.skipped ? -1 : items.length
        if (!fact.skipped) {
          balanced = true
          items.push({
            contactId: contact.id,
            typeCode,
            plannedDay: fact.plannedDay,
            priority: fact.priority,
            latestDay: fact.latestDay,
            eventYear: fact.eventDay === undefined ? NO_EVENT_YEAR : civilFromDayNumber(fact.eventDay).year,
            subjectToExclusions: fact.subjectToExclusions,
            owner,
            ...(fact.held ? { heldDay: fact.startDay } : {})
          })
        }
        writeStagedRow(writer, {
          contactId: contact.id,
          typeCode,
          plannedDay: fact.plannedDay,
          startDay: fact.startDay,
          skipped: fact.skipped,
          skipReason: strings.code(fact.skipReason),
          priority: fact.priority,
          campaignInstanceId: fact.campaignInstanceId,
          emailTemplate: strings.code(fact.emailTemplate),
          smsTemplate: strings.code(fact.smsTemplate),
          eventDay: fact.eventDay ?? NO_EVENT_DAY,
          item,
          unchangedId: fact.id,
          differsFromId: undefined,
          holdSteps: fact.holdSteps,
          holdJitter: fact.holdJitter,
          metadata: undefined
        })
      }
      if (balanced) {
        for (const handled of facts.handled) taken.push(keyCode(types.code(handled.emailType), handled.day))
        addOwner(contact, taken)
      }
    }

    /**
     * Plans one contact against its page's related rows and stages what it plans, or stages it from the facts of its
     * plan reuse record (`fromRecords`: its rows were not read). `wellFormed`: nothing read for the page was
     * malformed. Only then does a contact whose stored rows are its plan get a record: planning leaves a malformed row
     * out, and a record must hold every row.
     */
    const planOne = (
      row: ContactRow,
      related: Related,
      reuseInputs: ReuseInputs | undefined,
      fromRecords: ReadonlyMap<number, ReuseFacts>,
      wellFormed: boolean
    ) => {
      // Contacts arrive in ascending id; malformed rows are interleaved by id for the checksum and the census.
      while (nextMalformed < badContacts.length && Number(badContacts[nextMalformed]!.id) < row.id) {
        census.addMalformed(badContacts[nextMalformed++]!)
      }
      lines.push(contactLine(row))
      const facts = fromRecords.get(row.id)
      if (facts !== undefined) return reuseOne(row, facts)
      if (reuseInputs?.records.has(row.id)) staleRecords.push(row.id)
      const { contact, history, plan, enrollments } = planContactRow(row, related, context)
      const enrollmentUpdatesBefore = enrollmentUpdates.length
      census.addContact(contact)
      planRows += plan.rows.length
      droppedHandled += plan.droppedHandled
      droppedDuplicate += plan.droppedDuplicate
      for (const warning of plan.warnings) warnings.add(warning)
      for (const planned of plan.rows) summary.add(planned, contact.state)
      for (const enrollment of enrollments) {
        const status = plan.enrollmentStatus.get(enrollment.id)
        if (status !== undefined && status !== enrollment.status) {
          enrollmentUpdates.push({ id: enrollment.id, status, contactId: contact.id })
        }
      }

      contactIds.push(contact.id)
      writeStoredKeys(writer, history.rows, strings)
      storedRows += history.rows.length

      const owner = owners.length
      const taken: Array<number> = []
      let balanced = false
      // The plan is already stored when each of its rows is, unchanged, and no other row of the contact's is owned.
      reuseRecord.begin()
      for (const planned of plan.rows) {
        const typeCode = types.code(planned.emailType)
        const plannedDay = toDayNumber(planned.date)
        const startDate = planned.hold?.date ?? planned.date
        const startDay = toDayNumber(startDate)
        taken.push(keyCode(typeCode, startDay))
        const preScheduled = planned.status === "pre-scheduled"
        const item = preScheduled ? items.length : -1
        const latestDay = planned.latestDate === undefined ? NO_LATEST_DAY : toDayNumber(planned.latestDate)
        const subjectToExclusions = planned.subjectToExclusions || planned.emailType === "post_window"
        if (preScheduled) {
          balanced = true
          items.push({
            contactId: contact.id,
            typeCode,
            plannedDay,
            priority: planned.priority,
            latestDay,
            eventYear: planned.eventDate === undefined ? NO_EVENT_YEAR : Number(planned.eventDate.slice(0, 4)),
            subjectToExclusions,
            owner,
            ...(planned.hold === undefined ? {} : { heldDay: startDay })
          })
        }
        const staged: StagedRow = {
          contactId: contact.id,
          typeCode,
          plannedDay,
          startDay,
          skipped: !preScheduled,
          skipReason: strings.code(planned.skipReason),
          priority: planned.priority,
          campaignInstanceId: planned.campaignInstanceId ?? null,
          emailTemplate: strings.code(planned.emailTemplate),
          smsTemplate: strings.code(planned.smsTemplate),
          eventDay: eventDayOf(planned),
          item,
          unchangedId: undefined,
          differsFromId: undefined,
          holdSteps: planned.hold?.steps ?? 0,
          holdJitter: planned.hold?.jitter ?? 0,
          metadata: canonicalJson(planned.metadata)
        }
        // Already stored as it would be written on its start day? Then pass 2 need not read its metadata again; and
        // if stored there differently, pass 2 need not read the stored row to know it must rewrite it.
        const existing = storedOn(history.rows, planned.emailType, startDate)
        if (existing === undefined || isHandledStatus(existing.status)) {
          if (existing === undefined) newRows++
          writeStagedRow(writer, staged)
        } else {
          const record = recordOn(staged, startDay, staged.metadata!, planned.hold ?? NO_MOVE, {
            typeNames: types.names,
            strings: strings.values,
            time
          })
          const unchanged = !differs(existing, record)
          writeStagedRow(
            writer,
            unchanged
              ? { ...staged, unchangedId: existing.id, metadata: undefined }
              : { ...staged, differsFromId: existing.id }
          )
          if (unchanged) {
            reuseRecord.row({
              id: existing.id,
              plannedDay,
              latestDay,
              subjectToExclusions,
              held: planned.hold !== undefined,
              holdSteps: staged.holdSteps,
              holdJitter: staged.holdJitter,
              startDay,
              skipped: existing.status === "skipped",
              emailType: existing.email_type,
              skipReason: existing.skip_reason,
              priority: existing.priority ?? 0,
              campaignInstanceId: existing.campaign_instance_id,
              emailTemplate: existing.email_template,
              smsTemplate: existing.sms_template,
              eventDay: storedEventDay(existing)
            })
          }
        }
      }
      // Its handled rows' keys: balancing's, and the record's (a date a record cannot give back exactly: no record).
      let handledKeysExact = true
      for (const storedRow of history.rows) {
        if (!isHandledStatus(storedRow.status)) continue
        const date = storedRow.scheduled_send_date
        const day = dayNumberOf(date)
        // An exact date is parsed once; one with a time after it still holds its day's key.
        if (day === undefined || dateFromDayNumber(day) !== date) {
          handledKeysExact = false
          const loose = readLooseDate(date)
          if (loose._tag === "Valid") taken.push(keyCode(types.code(storedRow.email_type), toDayNumber(loose.date)))
        } else {
          taken.push(keyCode(types.code(storedRow.email_type), day))
          reuseRecord.handled({
            id: storedRow.id,
            day,
            emailType: storedRow.email_type,
            status: storedRow.status,
            campaignInstanceId: storedRow.campaign_instance_id
          })
        }
      }
      if (
        wellFormed &&
        handledKeysExact &&
        reuseRecord.usable() &&
        reuseRecord.rowCount() === plan.rows.length &&
        ownedCount(history.rows) === plan.rows.length &&
        enrollmentUpdates.length === enrollmentUpdatesBefore &&
        plan.warnings.length === 0
      ) {
        reuseRecord.appendTo(
          recordBytes,
          contact.id,
          plan.changesOn === undefined ? HOLDS_FOREVER : toDayNumber(plan.changesOn),
          plan.droppedHandled,
          plan.droppedDuplicate
        )
      }
      if (balanced) addOwner(contact, taken)
    }

    /** The facts of the page's contacts whose records hold today and whom nobody changed since. */
    const usableRecords = (
      rows: ReadonlyArray<ContactRow>,
      start: number,
      end: number,
      inputs: ReuseInputs
    ): ReadonlyMap<number, ReuseFacts> => {
      const usable = new Map<number, ReuseFacts>()
      for (let position = start; position < end; position++) {
        const id = rows[position]!.id
        const record = inputs.records.get(id)
        if (
          record === undefined ||
          record.madeOn > todayDay ||
          record.holdsUntil <= todayDay ||
          inputs.changed.has(id)
        ) {
          continue
        }
        const facts = decodeFacts(record.facts, recordCodes, record.madeOn, id)
        if (facts !== undefined) usable.set(id, facts)
      }
      return usable
    }

    const rows = contactRows.rows
    // The related rows (the stored rows above all) are read a page of contacts at a time: they are most of pass 1's
    // memory. The pages split the batch's id range without a gap, so malformed contacts' rows are read too.
    for (let start = 0; start === 0 || start < rows.length; start += PLANNING_PAGE) {
      const end = Math.min(start + PLANNING_PAGE, rows.length)
      const pageRange = {
        firstId: start === 0 ? range.firstId : rows[start - 1]!.id + 1,
        lastId: end === rows.length ? range.lastId : rows[end - 1]!.id
      }
      const reuseInputs = reuse ? yield* db.planReuseOf(pageRange) : undefined
      const fromRecords = reuseInputs === undefined ? NO_RECORDS : usableRecords(rows, start, end, reuseInputs)
      // The rows of the contacts staged from their records are not read (most of a steady night's reading).
      const related = yield* readRelated(db, pageRange, [...fromRecords.keys()])
      malformed.add(related.malformed)
      for (const bad of related.stored.malformed) undecodableIds.push(Number(bad.id))
      const wellFormed = related.malformed.length === 0
      for (let position = start; position < end; position++) {
        planOne(rows[position]!, related, reuseInputs, fromRecords, wellFormed)
      }
      yield* stager.flushPage
    }
    while (nextMalformed < badContacts.length) census.addMalformed(badContacts[nextMalformed++]!)
    const plan: BatchPlan = {
      ...range,
      extent: yield* stager.extent,
      typeNames: types.names,
      strings: strings.values,
      items: items.columns(),
      owners: owners.columns(),
      census: census.result(),
      contactLines: lines.join("\n"),
      summary: summary.result(),
      warnings: [...warnings],
      malformedRows: malformed.result(),
      droppedHandled,
      droppedDuplicate,
      planRows,
      newRows,
      storedRows,
      contactIds: Int32Array.from(contactIds),
      reused,
      staleRecords: Int32Array.from(staleRecords),
      reuseRecords: recordBytes.bytes(),
      undecodableIds,
      enrollmentUpdates
    }
    return plan
  })
