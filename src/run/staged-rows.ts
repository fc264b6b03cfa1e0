import type { StoredKey } from "../db/Database.js"
import { civilFromDayNumber, dateFromDayNumber } from "../domain/dates.js"
import type { EmailScheduleRow } from "../domain/email.js"
import { metadataObject } from "../domain/events.js"
import type { PlanRecord } from "../plan/index.js"
import { ED_SMOOTHING, stepNames } from "../plan/index.js"
import { canonicalJson } from "../rules/canonical-json.js"
import type { PlanLineFields } from "./checksums.js"
import type { ByteReader, ByteWriter } from "./staging.js"

/** Strings that repeat across a plan (skip reasons, templates) as small numbers; 0 is NULL. */
export class StringCodes {
  private readonly codes = new Map<string, number>()
  readonly values: Array<string | null> = [null]
  code(value: string | null | undefined): number {
    if (value === null || value === undefined) return 0
    let code = this.codes.get(value)
    if (code === undefined) {
      code = this.values.length
      this.codes.set(value, code)
      this.values.push(value)
    }
    return code
  }
}

/** No event date. */
export const NO_EVENT_DAY = -(2 ** 31)

/**
 * One planned row as pass 1 stages it for pass 2 (issue 11: each contact is planned once). Its day is decided by
 * load balancing: `startDay` is where balancing starts it (its held day, or its planned day).
 */
export interface StagedRow {
  readonly contactId: number
  readonly typeCode: number
  readonly plannedDay: number
  readonly startDay: number
  readonly skipped: boolean
  readonly skipReason: number
  readonly priority: number
  readonly campaignInstanceId: number | null
  readonly emailTemplate: number
  readonly smsTemplate: number
  readonly eventDay: number
  /** Its balance item, or -1 for a skipped row (only pre-scheduled rows are balanced). */
  readonly item: number
  /** The stored row that already equals this row on its start day, if any. */
  readonly unchangedId: number | undefined
  /**
   * The stored row (pre-scheduled or skipped) that holds this row's key on its start day but differs from it, if any:
   * pass 2 rewrites it without reading it again while its key and status are still as pass 1 read them.
   */
  readonly differsFromId: number | undefined
  /** The stored `moved` explanation a held row keeps on its held day (when that is not its planned day). */
  readonly holdSteps: number
  readonly holdJitter: number
  /** Canonical metadata as planned (no balancing), unless the row was found unchanged (read it back from there). */
  readonly metadata: string | undefined
}

const SKIPPED = 1
const UNCHANGED = 2
const HAS_METADATA = 4
const DIFFERS = 8

export const writeStagedRow = (writer: ByteWriter, row: StagedRow): void => {
  writer.i32(row.contactId)
  writer.u16(row.typeCode)
  writer.i32(row.plannedDay)
  writer.i32(row.startDay)
  writer.u8(
    (row.skipped ? SKIPPED : 0) |
      (row.unchangedId !== undefined ? UNCHANGED : 0) |
      (row.metadata !== undefined ? HAS_METADATA : 0) |
      (row.differsFromId !== undefined ? DIFFERS : 0)
  )
  writer.u16(row.skipReason)
  writer.i32(row.priority)
  writer.f64(row.campaignInstanceId ?? Number.NaN)
  writer.u16(row.emailTemplate)
  writer.u16(row.smsTemplate)
  writer.i32(row.eventDay)
  writer.i32(row.item)
  if (row.unchangedId !== undefined) writer.f64(row.unchangedId)
  if (row.differsFromId !== undefined) writer.f64(row.differsFromId)
  writer.u8(row.holdSteps)
  writer.i32(row.holdJitter)
  if (row.metadata !== undefined) writer.text(row.metadata)
}

export const readStagedRow = (reader: ByteReader): StagedRow => {
  const contactId = reader.i32()
  const typeCode = reader.u16()
  const plannedDay = reader.i32()
  const startDay = reader.i32()
  const flags = reader.u8()
  const skipReason = reader.u16()
  const priority = reader.i32()
  const instance = reader.f64()
  const emailTemplate = reader.u16()
  const smsTemplate = reader.u16()
  const eventDay = reader.i32()
  const item = reader.i32()
  const unchangedId = flags & UNCHANGED ? reader.f64() : undefined
  const differsFromId = flags & DIFFERS ? reader.f64() : undefined
  const holdSteps = reader.u8()
  const holdJitter = reader.i32()
  const metadata = flags & HAS_METADATA ? reader.text() : undefined
  return {
    contactId,
    typeCode,
    plannedDay,
    startDay,
    skipped: (flags & SKIPPED) !== 0,
    skipReason,
    priority,
    campaignInstanceId: Number.isNaN(instance) ? null : instance,
    emailTemplate,
    smsTemplate,
    eventDay,
    item,
    unchangedId,
    differsFromId,
    holdSteps,
    holdJitter,
    metadata
  }
}

/**
 * The keys of a contact's stored rows as pass 1 read them (id, type, date, status and campaign instance, in id order),
 * staged before the contact's planned rows so that pass 2 need not read them again when nobody else wrote since pass 1
 * (`run/write-plan.ts`). The block starts with −(count + 1): negative, unlike a staged row's contact id.
 */
/** What the write pass needs of a stored row: its key, status and instance. */
export type StoredKeyColumns = Pick<
  EmailScheduleRow,
  "id" | "email_type" | "scheduled_send_date" | "status" | "campaign_instance_id"
>

export const writeStoredKeys = (
  writer: ByteWriter,
  rows: ReadonlyArray<StoredKeyColumns>,
  strings: StringCodes
): void => {
  writer.i32(-(rows.length + 1))
  for (const row of rows) {
    writer.f64(row.id)
    writer.i32(strings.code(row.email_type))
    writer.i32(strings.code(row.scheduled_send_date))
    writer.i32(strings.code(row.status))
    if (row.campaign_instance_id === null) writer.u8(0)
    else {
      writer.u8(1)
      writer.f64(row.campaign_instance_id)
    }
  }
}

/** The stored keys `writeStoredKeys` staged for `contactId`, with the batch's string codes. */
export const readStoredKeys = (
  reader: ByteReader,
  contactId: number,
  strings: ReadonlyArray<string | null>
): Array<StoredKey> => {
  const count = -reader.i32() - 1
  const keys: Array<StoredKey> = []
  for (let k = 0; k < count; k++) {
    const id = reader.f64()
    const emailType = strings[reader.i32()]!
    const date = strings[reader.i32()]!
    const status = strings[reader.i32()]!
    const campaignInstanceId = reader.u8() === 1 ? reader.f64() : null
    keys.push({ id, contactId, emailType, date, status, campaignInstanceId })
  }
  return keys
}

/** The next staged rows of `contactId` (a contact's rows are contiguous, and each starts with its contact id). */
export const readRowsOf = (reader: ByteReader, contactId: number): Array<StagedRow> => {
  const rows: Array<StagedRow> = []
  while (!reader.done && reader.peekI32() === contactId) rows.push(readStagedRow(reader))
  return rows
}

/** The `steps` list of each combination of step bits, as JSON: a first run writes it for every row the cap moved. */
const STEPS_JSON = [0, 1, 2, 3].map((steps) => JSON.stringify(stepNames(steps)))

/** `{"from":…,"jitter":…,"steps":[…]}`: canonical (keys in code-point order), as spec §14.2 writes `moved`. */
const movedJson = (from: number, steps: number, jitter: number): string =>
  `{"from":"${dateFromDayNumber(from)}",${steps & ED_SMOOTHING ? `"jitter":${jitter},` : ""}"steps":${STEPS_JSON[steps] ?? JSON.stringify(stepNames(steps))}}`

const PLANNED_DATE_KEY = ',"planned_date":'

/**
 * The planned metadata with the `moved` explanation of a row that balancing put on another day (spec §14.2). Keys are
 * in code-point order, and every key after "moved" sorts after "planned_date", which every explanation has and
 * which never appears inside a value; so `moved` goes just before it. A text that already has a `moved` (a carried
 * post-window row keeps its stored explanation) is rewritten through its object.
 */
export const withMoved = (planned: string, from: number, steps: number, jitter: number): string => {
  const at = planned.indexOf(PLANNED_DATE_KEY)
  if (at >= 0 && !planned.includes('"moved":')) {
    return `${planned.slice(0, at)},"moved":${movedJson(from, steps, jitter)}${planned.slice(at)}`
  }
  const moved = { from: dateFromDayNumber(from), steps: stepNames(steps), ...(steps & ED_SMOOTHING ? { jitter } : {}) }
  return canonicalJson({ ...metadataObject(planned), moved })
}

/** The planned explanation behind a stored one that carried `moved` only because the row was held elsewhere. */
export const withoutMoved = (stored: string): string => {
  const { moved: _, ...rest } = metadataObject(stored)
  return canonicalJson(rest)
}

/** What a staged row's codes mean: the batch's email types and strings, and the run's send time. */
export interface RecordContext {
  readonly typeNames: ReadonlyArray<string>
  readonly strings: ReadonlyArray<string | null>
  readonly time: string
}

/** The columns of the row as written on `day` that its plan checksum line holds (spec §12.5). */
export const lineOn = (row: StagedRow, day: number, context: RecordContext): PlanLineFields => {
  const event = row.eventDay === NO_EVENT_DAY ? undefined : civilFromDayNumber(row.eventDay)
  return {
    contactId: row.contactId,
    emailType: context.typeNames[row.typeCode]!,
    date: dateFromDayNumber(day),
    time: context.time,
    status: row.skipped ? "skipped" : "pre-scheduled",
    skipReason: context.strings[row.skipReason] ?? null,
    priority: row.priority,
    campaignInstanceId: row.campaignInstanceId,
    eventYear: event?.year ?? null,
    eventMonth: event?.month ?? null,
    eventDay: event?.day ?? null
  }
}

/**
 * The row as written on `day` (spec §12.1): its `line` (`lineOn`, which pass 2 has built already for the checksum)
 * with the templates and the explanation. `plannedMetadata` is the explanation as planned; `move` is balancing's steps
 * and jitter when the row left its start day, else the held explanation's.
 */
export const recordOn = (
  row: StagedRow,
  day: number,
  plannedMetadata: string,
  move: { readonly steps: number; readonly jitter: number },
  context: RecordContext,
  line: PlanLineFields = lineOn(row, day, context)
): PlanRecord => ({
  contactId: line.contactId,
  emailType: line.emailType,
  date: line.date,
  time: line.time,
  status: line.status,
  skipReason: line.skipReason,
  priority: line.priority,
  campaignInstanceId: line.campaignInstanceId,
  emailTemplate: context.strings[row.emailTemplate] ?? null,
  smsTemplate: context.strings[row.smsTemplate] ?? null,
  eventYear: line.eventYear,
  eventMonth: line.eventMonth,
  eventDay: line.eventDay,
  metadata:
    day === row.plannedDay ? plannedMetadata : withMoved(plannedMetadata, row.plannedDay, move.steps, move.jitter)
})
