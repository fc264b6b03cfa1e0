/**
 * Plan reuse (issue 11): a contact whose plan a run found already stored (it wrote nothing for it) keeps a record of
 * what its plan holds beyond the stored columns, and until which day the plan holds by the calendar (plan/horizon.ts).
 * A later run with the same settings and campaigns, for a contact nobody changed since (db/change-tracking.ts), stages
 * the contact from its record instead of planning it again. The record also holds what staging needs of the stored
 * rows (their ids, dates, statuses, types, reasons, priorities, instances, templates and event days), so such a
 * contact's rows are not even read: nobody changed them since the record was made, or the change triggers would have
 * named the contact.
 */

import { FOLLOWUP_TYPES } from "../domain/email.js"

/**
 * The records' layout, part of their context: records made by another layout are dropped, not misread (2: the stored
 * rows' columns are in the record).
 */
export const REUSE_RECORD_FORMAT = 2

/** A plan that no date alone changes holds "forever". */
export const HOLDS_FOREVER = 2 ** 31 - 1

/**
 * An owned (pre-scheduled or skipped) row of a reused plan: the stored row's columns that staging needs, and what the
 * plan knows of it beyond them.
 */
export interface ReusedRow {
  /** The stored row it is (the plan found it unchanged on its start day). */
  readonly id: number
  /** Its stored date: the day balancing starts it from when held, and the day it is found on. */
  readonly startDay: number
  readonly plannedDay: number
  /** NO_LATEST_DAY when it has none. */
  readonly latestDay: number
  readonly subjectToExclusions: boolean
  /** Balancing starts it on its held day (its stored day), not its planned day. */
  readonly held: boolean
  readonly holdSteps: number
  readonly holdJitter: number
  readonly skipped: boolean
  readonly emailType: string
  readonly skipReason: string | null
  readonly priority: number
  readonly campaignInstanceId: number | null
  readonly emailTemplate: string | null
  readonly smsTemplate: string | null
  /** The day of its stored event columns, when they are a real date. */
  readonly eventDay: number | undefined
}

/** A handled row of a reused contact: its key, as balancing and the write pass need it. */
export interface ReusedHandledRow {
  readonly id: number
  readonly day: number
  readonly emailType: string
  readonly status: string
  readonly campaignInstanceId: number | null
}

export interface ReuseFacts {
  readonly droppedHandled: number
  readonly droppedDuplicate: number
  /** The owned rows, in the plan's order. */
  readonly rows: ReadonlyArray<ReusedRow>
  /** The handled rows, in id order. */
  readonly handled: ReadonlyArray<ReusedHandledRow>
}

/**
 * LEB128 integers appended to a growable byte array. A night records most of a million contacts, some 50 bytes each:
 * pushed one by one onto a plain array they cost 4.9 s of CPU at 1 M contacts (issue 11's profile of a third night).
 */
export class VarintWriter {
  private buffer = new Uint8Array(1024)
  length = 0

  private ensure(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return
    const larger = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bytes))
    larger.set(this.buffer.subarray(0, this.length))
    this.buffer = larger
  }
  /** Unsigned LEB128 of a safe integer ≥ 0 (ids up to 2^53 − 1 take 8 bytes, today's a few). */
  uint(value: number): void {
    this.ensure(8)
    const buffer = this.buffer
    let at = this.length
    let rest = value
    while (rest >= 0x80) {
      buffer[at++] = (rest % 0x80) | 0x80
      rest = Math.floor(rest / 0x80)
    }
    buffer[at++] = rest
    this.length = at
  }
  /** A small signed integer (a difference of days, a jitter, a count) as the LEB128 of its zigzag. */
  int(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1)
  }
  /** Bytes as they are. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length)
    this.buffer.set(bytes, this.length)
    this.length += bytes.length
  }
  append(other: VarintWriter): void {
    this.ensure(other.length)
    this.buffer.set(other.buffer.subarray(0, other.length), this.length)
    this.length += other.length
  }
  reset(): void {
    this.length = 0
  }
  /** A copy of the bytes written. */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.length)
  }
}

/** Integers a record holds exactly: zigzag doubles a signed one, which must stay a safe integer. */
const LARGEST = 2 ** 50
const encodableId = (value: number): boolean => Number.isSafeInteger(value) && value >= 0
const encodableInt = (value: number): boolean => Number.isSafeInteger(value) && Math.abs(value) <= LARGEST

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * The strings of records as small codes: those a plan's rows can hold (statuses, email types, skip reasons and the
 * campaigns' templates, `recordStrings`), any other string written out. A record is read with the strings it was made
 * with: they are a function of what the records' context digest covers, so the same context gives the same codes.
 */
export class RecordStrings {
  private readonly codes = new Map<string, number>()
  /** Each string once, at its code. */
  readonly values: ReadonlyArray<string>
  constructor(values: Iterable<string>) {
    this.values = [...new Set(values)]
    for (const [code, value] of this.values.entries()) this.codes.set(value, code)
  }
  /**
   * 0 for null, 2 × code + 1 for a known string, else 2 × its UTF-8 length + 2 and the bytes. False when UTF-8 cannot
   * give the string back exactly (a lone surrogate): the record must not be made.
   */
  write(writer: VarintWriter, value: string | null): boolean {
    const code = value === null ? undefined : this.codes.get(value)
    if (value === null) writer.uint(0)
    else if (code !== undefined) writer.uint(2 * code + 1)
    else {
      const bytes = utf8.encode(value)
      if (fromUtf8.decode(bytes) !== value) return false
      writer.uint(2 * bytes.length + 2)
      writer.raw(bytes)
    }
    return true
  }
  /** Undefined when damaged. */
  read(reader: VarintReader): string | null | undefined {
    const value = reader.nextUint()
    if (value === undefined) return undefined
    if (value === 0) return null
    if (value % 2 === 1) return this.values[(value - 1) / 2]
    return reader.text((value - 2) / 2)
  }
}

/**
 * The strings a context's rows can hold, in an order fixed by that context: the statuses of spec §1.3 and §9, the
 * email types of §5.1 and of the campaign types, the skip reasons of §14.1 for the ruleset's states, and every campaign
 * instance's templates (all of them, not only tonight's: the codes must not change from one day to the next).
 */
export const recordStrings = (
  ruleStates: Iterable<string>,
  campaignTypeNames: Iterable<string>,
  templates: Iterable<string>
): RecordStrings =>
  new RecordStrings([
    "pre-scheduled",
    "skipped",
    "scheduled",
    "processing",
    "sent",
    "delivered",
    "failed",
    "cancelled",
    "birthday",
    "effective_date",
    "aep",
    "post_window",
    ...FOLLOWUP_TYPES,
    "failed_underwriting",
    "campaign_priority_conflict",
    "frequency_limit",
    ...[...new Set(ruleStates)]
      .sort()
      .flatMap((state) => [`year_round:${state}`, `birthday_window:${state}`, `effective_date_window:${state}`]),
    ...[...new Set(campaignTypeNames)].sort().map((name) => `campaign_${name}`),
    ...[...new Set(templates)].sort()
  ])

const SUBJECT = 1
const HELD = 2
const SKIPPED = 4
const EVENT = 8
const INSTANCE = 16

/**
 * A contact's record as its rows are staged, without an object per row (a night records most of a million contacts):
 * `begin` for each planned contact, `row` for each row found stored unchanged and `handled` for each of its handled
 * rows, then `appendTo` a batch's bytes: the contact's id, the day its plan may change, then its facts: the contact's
 * id again (a record is no other contact's), counts, per owned row (in the plan's order) its id, its stored day (from
 * the record's day `madeOn`), its planned and latest days (from its stored day), flags, hold, columns and event day,
 * and per handled row (in id order) its id, day and key. A value a record cannot hold exactly (an id beyond 2^53 or
 * below 0, a string with a lone surrogate) makes it `unusable`: no record is made.
 */
export const recordBuilder = (strings: RecordStrings, madeOn: number) => {
  const rows = new VarintWriter()
  let rowCount = 0
  let handledCount = 0
  let usable = true
  const handledRows = new VarintWriter()
  const head = new VarintWriter()
  return {
    begin: (): void => {
      rows.reset()
      handledRows.reset()
      rowCount = 0
      handledCount = 0
      usable = true
    },
    row: (fact: ReusedRow): void => {
      rowCount++
      const instance = fact.campaignInstanceId
      if (!encodableId(fact.id) || !encodableInt(fact.priority) || (instance !== null && !encodableInt(instance))) {
        usable = false
        return
      }
      const start = fact.startDay
      rows.uint(fact.id)
      rows.int(start - madeOn)
      rows.int(fact.plannedDay - start)
      rows.int(fact.latestDay - start)
      rows.uint(
        (fact.subjectToExclusions ? SUBJECT : 0) |
          (fact.held ? HELD : 0) |
          (fact.skipped ? SKIPPED : 0) |
          (fact.eventDay !== undefined ? EVENT : 0) |
          (instance !== null ? INSTANCE : 0)
      )
      rows.int(fact.holdSteps)
      rows.int(fact.holdJitter)
      const exact = strings.write(rows, fact.emailType) && strings.write(rows, fact.skipReason)
      rows.int(fact.priority)
      if (instance !== null) rows.int(instance)
      if (!(exact && strings.write(rows, fact.emailTemplate) && strings.write(rows, fact.smsTemplate))) usable = false
      if (fact.eventDay !== undefined) rows.int(fact.eventDay - start)
    },
    handled: (row: ReusedHandledRow): void => {
      handledCount++
      const instance = row.campaignInstanceId
      if (!encodableId(row.id) || (instance !== null && !encodableInt(instance))) {
        usable = false
        return
      }
      handledRows.uint(row.id)
      handledRows.int(row.day - madeOn)
      if (!(strings.write(handledRows, row.emailType) && strings.write(handledRows, row.status))) usable = false
      handledRows.uint(instance !== null ? INSTANCE : 0)
      if (instance !== null) handledRows.int(instance)
    },
    /** Owned rows recorded since `begin`. */
    rowCount: (): number => rowCount,
    /** Whether every row since `begin` fits a record. */
    usable: (): boolean => usable,
    appendTo: (
      bytes: VarintWriter,
      contactId: number,
      holdsUntil: number,
      droppedHandled: number,
      droppedDuplicate: number
    ): void => {
      head.reset()
      head.uint(contactId)
      head.int(droppedHandled)
      head.int(droppedDuplicate)
      head.int(rowCount)
      head.int(handledCount)
      bytes.uint(contactId)
      bytes.uint(holdsUntil)
      bytes.uint(head.length + rows.length + handledRows.length)
      bytes.append(head)
      bytes.append(rows)
      bytes.append(handledRows)
    }
  }
}

/** The records `recordBuilder` appended, one at a time; the facts are views into `bytes`. */
export function* recordsIn(
  bytes: Uint8Array
): Generator<{ readonly contactId: number; readonly holdsUntil: number; readonly facts: Uint8Array }> {
  const reader = varintReader(bytes)
  while (reader.at() < bytes.length) {
    const contactId = reader.nextUint()
    const holdsUntil = reader.nextUint()
    const length = reader.nextUint()
    if (contactId === undefined || holdsUntil === undefined || length === undefined) return
    const start = reader.at()
    reader.skip(length)
    yield { contactId, holdsUntil, facts: bytes.subarray(start, start + length) }
  }
}

type VarintReader = ReturnType<typeof varintReader>

/** Reads LEB128 integers from `bytes`; undefined past the end or beyond 2^53 − 1. */
const varintReader = (bytes: Uint8Array) => {
  let at = 0
  const nextUint = (): number | undefined => {
    let value = 0
    let scale = 1
    for (;;) {
      if (at >= bytes.length || scale > 2 ** 49) return undefined
      const byte = bytes[at++]!
      value += (byte & 0x7f) * scale
      if (byte < 0x80) break
      scale *= 0x80
    }
    return Number.isSafeInteger(value) ? value : undefined
  }
  return {
    at: () => at,
    skip: (count: number) => {
      at += count
    },
    nextUint,
    /** A zigzag integer (`int`). */
    next: (): number | undefined => {
      const value = nextUint()
      return value === undefined ? undefined : value % 2 === 0 ? value / 2 : -(value + 1) / 2
    },
    /** `length` bytes of UTF-8; undefined past the end or when they are not UTF-8. */
    text: (length: number): string | undefined => {
      if (at + length > bytes.length) return undefined
      try {
        return fromUtf8.decode(bytes.subarray(at, at + length))
      } catch {
        return undefined
      } finally {
        at += length
      }
    }
  }
}

/**
 * Reads the encoded facts of contact `contactId`'s record made on day `madeOn` with `strings`. Undefined if damaged,
 * another contact's, or if a row is named twice.
 */
export const decodeFacts = (
  bytes: Uint8Array,
  strings: RecordStrings,
  madeOn: number,
  contactId: number
): ReuseFacts | undefined => {
  const reader = varintReader(bytes)
  const next = reader.next
  if (reader.nextUint() !== contactId) return undefined
  const droppedHandled = next()
  const droppedDuplicate = next()
  const count = next()
  const handledCount = next()
  if (
    droppedHandled === undefined ||
    droppedDuplicate === undefined ||
    count === undefined ||
    handledCount === undefined ||
    count < 0 ||
    handledCount < 0
  ) {
    return undefined
  }
  const rows: Array<ReusedRow> = []
  const handled: Array<ReusedHandledRow> = []
  // A record names each stored row once (a handful of rows: a scan is cheaper than a set per contact).
  const named = (id: number): boolean => {
    for (const row of rows) if (row.id === id) return true
    for (const row of handled) if (row.id === id) return true
    return false
  }
  for (let i = 0; i < count; i++) {
    const id = reader.nextUint()
    const start = next()
    const planned = next()
    const latest = next()
    const flags = reader.nextUint()
    const holdSteps = next()
    const holdJitter = next()
    const emailType = strings.read(reader)
    const skipReason = strings.read(reader)
    const priority = next()
    const instance = (flags ?? 0) & INSTANCE ? next() : null
    const emailTemplate = strings.read(reader)
    const smsTemplate = strings.read(reader)
    const event = (flags ?? 0) & EVENT ? next() : 0
    if (
      id === undefined ||
      start === undefined ||
      planned === undefined ||
      latest === undefined ||
      flags === undefined ||
      holdSteps === undefined ||
      holdJitter === undefined ||
      typeof emailType !== "string" ||
      skipReason === undefined ||
      priority === undefined ||
      instance === undefined ||
      emailTemplate === undefined ||
      smsTemplate === undefined ||
      event === undefined ||
      named(id)
    ) {
      return undefined
    }
    const startDay = madeOn + start
    rows.push({
      id,
      startDay,
      plannedDay: startDay + planned,
      latestDay: startDay + latest,
      subjectToExclusions: (flags & SUBJECT) !== 0,
      held: (flags & HELD) !== 0,
      holdSteps,
      holdJitter,
      skipped: (flags & SKIPPED) !== 0,
      emailType,
      skipReason,
      priority,
      campaignInstanceId: instance,
      emailTemplate,
      smsTemplate,
      eventDay: (flags & EVENT) !== 0 ? startDay + event : undefined
    })
  }
  for (let i = 0; i < handledCount; i++) {
    const id = reader.nextUint()
    const day = next()
    const emailType = strings.read(reader)
    const status = strings.read(reader)
    const flags = reader.nextUint()
    const instance = (flags ?? 0) & INSTANCE ? next() : null
    if (
      id === undefined ||
      day === undefined ||
      typeof emailType !== "string" ||
      typeof status !== "string" ||
      flags === undefined ||
      instance === undefined ||
      named(id)
    ) {
      return undefined
    }
    handled.push({ id, day: madeOn + day, emailType, status, campaignInstanceId: instance })
  }
  return reader.at() === bytes.length ? { droppedHandled, droppedDuplicate, rows, handled } : undefined
}
