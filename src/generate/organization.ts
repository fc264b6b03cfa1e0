import type BetterSqlite3 from "better-sqlite3"
import { addDays, anniversary, dateFromDayNumber, dayNumber, type IsoDate, toDayNumber } from "../domain/dates.js"
import type { StateCode } from "../domain/states.js"
import { zip5sOfState } from "../domain/states.js"
import { RULE_STATES } from "../rules/rulesets.js"
import { RESIDENTS_65_PLUS } from "./population.js"
import { Random, WeightedChoice } from "./random.js"

/** What the generator wrote, for its summary. */
export interface GeneratedCounts {
  readonly contacts: number
  readonly badRows: number
  readonly enrollments: number
  readonly sentEmails: number
  readonly clicks: number
  readonly eligibilityAnswers: number
}

const FIRST_NAMES = [
  "Mary",
  "James",
  "Patricia",
  "John",
  "Linda",
  "Robert",
  "Barbara",
  "Michael",
  "Susan",
  "William",
  "Dorothy",
  "David",
  "Carol",
  "Richard",
  "Nancy",
  "Joseph",
  "Betty",
  "Thomas",
  "Sandra",
  "Charles"
] as const
const LAST_NAMES = [
  "Smith",
  "Johnson",
  "Williams",
  "Brown",
  "Jones",
  "Garcia",
  "Miller",
  "Davis",
  "Rodriguez",
  "Martinez",
  "Hernandez",
  "Lopez",
  "Wilson",
  "Anderson",
  "Thomas",
  "Taylor",
  "Moore",
  "Jackson",
  "Martin",
  "Lee"
] as const
const DOMAINS = ["gmail.com", "yahoo.com", "aol.com", "outlook.com", "comcast.net", "att.net"] as const
const CARRIERS = [
  "Aetna",
  "Humana",
  "UnitedHealthcare",
  "Mutual of Omaha",
  "Cigna",
  "Blue Cross Blue Shield",
  "Anthem",
  "Wellcare"
] as const
const INVALID_EMAILS = [
  "not-an-email",
  "jane.doe@",
  "@example.com",
  "john@localhost",
  "mary smith@aol.com",
  ""
] as const
const BAD_DATES = ["06/15/1950", "1950-13-01", "1950-02-30", "unknown", "15.06.1950"] as const

const EARLIEST_BIRTH = dayNumber(1935, 1, 1)
const LATEST_BIRTH = dayNumber(1961, 12, 31)
const LEAP_BIRTH_YEARS = [1936, 1940, 1944, 1948, 1952, 1956, 1960] as const

/** Campaign setup of the demo organization (spec §2.5–§2.7): ids are fixed so tests can name them. */
export const CAMPAIGN_IDS = { rateIncrease: 1, promotion: 2, initialBlast: 3, checkIn: 4 } as const
const RATE_INCREASE_STATES: ReadonlyArray<StateCode> = ["TX", "FL", "OH", "PA", "GA", "MO", "CA"]

/**
 * Writes a realistic organization into an open, migrated database, deterministically from `seed` and `asOf`.
 * The caller owns the transaction and the file.
 */
export const writeOrganization = (
  db: BetterSqlite3.Database,
  options: {
    readonly contacts: number
    readonly seed: number
    readonly asOf: IsoDate
    readonly onProgress?: (written: number) => void
  }
): GeneratedCounts => {
  const random = new Random(options.seed)
  const { asOf } = options
  const stamp = `${asOf} 06:00:00`
  const states = new WeightedChoice(RESIDENTS_65_PLUS)
  const zipsByState = new Map<StateCode, ReadonlyArray<string>>()
  const zipsOf = (state: StateCode) => {
    let zips = zipsByState.get(state)
    if (zips === undefined) {
      zips = zip5sOfState(state)
      zipsByState.set(state, zips)
    }
    return zips
  }

  db.prepare(`INSERT INTO organizations (id, name, active, timezone, created_at, updated_at)
    VALUES (1, 'Demo Medigap Agency', 1, 'America/Chicago', ?, ?)`).run(stamp, stamp)
  writeCampaigns(db, asOf, stamp)

  const insertContact = db.prepare(`INSERT INTO contacts (id, email, first_name, last_name, current_carrier,
    birth_date, effective_date, state, zip_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insertEnrollment = db.prepare(`INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date,
    status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`)
  const insertEmail = db.prepare(`INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date,
    scheduled_send_time, status, priority, campaign_instance_id, event_year, event_month, event_day,
    actual_send_datetime, created_at, updated_at) VALUES (?, ?, ?, '08:30:00', ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insertClick = db.prepare(`INSERT INTO tracking_clicks (tracking_id, contact_id, clicked_at) VALUES (?, ?, ?)`)
  const insertEvent = db.prepare(`INSERT INTO contact_events (contact_id, event_type, metadata, created_at)
    VALUES (?, 'eligibility_answered', ?, ?)`)

  const asOfDay = toDayNumber(asOf)
  let badRows = 0
  let enrollments = 0
  let sentEmails = 0
  let clicks = 0
  let eligibilityAnswers = 0

  for (let id = 1; id <= options.contacts; id++) {
    // The first contacts cycle through every rule state, so even a tiny organization exercises every window.
    const state = id <= RULE_STATES.length ? RULE_STATES[id - 1]! : states.pick(random)
    const first = random.pick(FIRST_NAMES)
    const last = random.pick(LAST_NAMES)
    let email: string = `${first}.${last}.${id}@${random.pick(DOMAINS)}`.toLowerCase()
    let stateColumn: string | null = random.chance(0.02) ? state.toLowerCase() : state
    const zips = zipsOf(state)
    let zip: string | null = random.pick(zips)
    const zipRoll = random.next()
    if (zipRoll < 0.03)
      zip = random.pick(zipsOf(states.pick(random))) // disagrees with the state column
    else if (zipRoll < 0.07)
      zip = random.chance(0.5) ? null : "" // missing: the state column decides
    else if (zipRoll < 0.09) zip = `${zip}-${String(random.int(0, 9999)).padStart(4, "0")}`

    // Every 500th contact is born on Feb 29, so even a small organization exercises the leap-day rule.
    const birthDate: IsoDate =
      id % 500 === 1
        ? `${random.pick(LEAP_BIRTH_YEARS)}-02-29`
        : dateFromDayNumber(random.int(EARLIEST_BIRTH, LATEST_BIRTH))
    let effective: string | null = effectiveDate(random, asOfDay)
    // Stored as the predecessor did: mostly plain dates, some with a time part (spec §3.3 accepts both).
    const formatRoll = random.next()
    let birth: string =
      formatRoll < 0.03 ? `${birthDate} 00:00:00` : formatRoll < 0.05 ? `${birthDate}T00:00:00Z` : birthDate

    // About 2 % bad rows, each of one kind (spec §3): invalid email, unparseable date, no location.
    const badRoll = random.next()
    if (id > RULE_STATES.length && badRoll < 0.02) {
      badRows++
      if (badRoll < 0.007) email = random.pick(INVALID_EMAILS)
      else if (badRoll < 0.014) {
        if (random.chance(0.5)) birth = random.pick(BAD_DATES)
        else effective = random.pick(BAD_DATES)
      } else {
        zip = random.chance(0.5) ? null : "ABCDE"
        stateColumn = random.chance(0.5) ? null : "XX"
      }
    }

    const carrier = random.chance(0.05) ? null : random.pick(CARRIERS)
    insertContact.run(id, email, first, last, carrier, birth, effective, stateColumn, zip, stamp, stamp)

    if (RATE_INCREASE_STATES.includes(state) && random.chance(0.05)) {
      enrollments++
      const trigger = random.chance(0.1) ? null : dateFromDayNumber(asOfDay + random.int(-10, 90))
      const status = random.chance(0.05) ? "sent" : random.chance(0.2) ? "scheduled" : "pending"
      insertEnrollment.run(id, CAMPAIGN_IDS.rateIncrease, trigger, status, stamp, stamp)
    }

    if (random.chance(0.03)) {
      sentEmails++
      const sent = writeSentEmail(insertEmail, random, id, birthDate, asOfDay, stamp)
      if (random.chance(0.4)) {
        clicks++
        insertClick.run(`trk-${id}`, id, `${addDays(sent, random.int(0, 3))} ${clock(random)}`)
      }
      if (random.chance(0.2)) {
        eligibilityAnswers++
        insertEvent.run(id, random.pick(ELIGIBILITY_METADATA), `${addDays(sent, random.int(0, 4))}T${clock(random)}Z`)
      }
    }
    if (id % 50_000 === 0) options.onProgress?.(id)
  }
  options.onProgress?.(options.contacts)
  return { contacts: options.contacts, badRows, enrollments, sentEmails, clicks, eligibilityAnswers }
}

/** Eligibility answers with and without medical conditions, in the shapes the predecessor stored. */
const ELIGIBILITY_METADATA = [
  '{"has_medical_conditions":true}',
  '{"has_medical_conditions":"true","main_questions_yes_count":1}',
  '{"has_medical_conditions":false,"main_questions_yes_count":0}',
  '{"has_medical_conditions":false,"main_questions_yes_count":"2"}',
  '{"has_medical_conditions":"FALSE"}',
  "not json"
] as const

const clock = (random: Random): string =>
  `${String(random.int(8, 20)).padStart(2, "0")}:${String(random.int(0, 59)).padStart(2, "0")}:00`

/** Effective dates cluster on the 1st of a month; some are missing and some lie in the future. */
const effectiveDate = (random: Random, asOfDay: number): string | null => {
  if (random.chance(0.08)) return null
  const day = random.int(dayNumber(2008, 1, 1), asOfDay + 180)
  const date = dateFromDayNumber(day)
  return random.chance(0.85) ? `${date.slice(0, 8)}01` : date
}

/**
 * A sent or delivered email of the last 35 days (a follow-up parent, spec §8.1): the birthday email when the
 * contact's birthday falls in that stretch, otherwise the ended check-in campaign.
 */
const writeSentEmail = (
  insertEmail: BetterSqlite3.Statement,
  random: Random,
  contactId: number,
  birthDate: IsoDate,
  asOfDay: number,
  stamp: string
): IsoDate => {
  const status = random.chance(0.5) ? "sent" : "delivered"
  const year = Number(dateFromDayNumber(asOfDay).slice(0, 4))
  for (const event of [
    anniversary(birthDate, year - 1),
    anniversary(birthDate, year),
    anniversary(birthDate, year + 1)
  ]) {
    const sendDay = toDayNumber(event) - 14
    if (sendDay >= asOfDay - 35 && sendDay < asOfDay) {
      const sent = dateFromDayNumber(sendDay)
      insertEmail.run(
        contactId,
        "birthday",
        sent,
        status,
        10,
        null,
        ...dateParts(event),
        `${sent} 13:30:00`,
        stamp,
        stamp
      )
      return sent
    }
  }
  const sent = dateFromDayNumber(asOfDay - random.int(5, 35))
  const actual = random.chance(0.5) ? `${sent} 14:05:00` : `${sent}T14:05:00Z`
  insertEmail.run(
    contactId,
    "campaign_check_in",
    sent,
    status,
    45,
    CAMPAIGN_IDS.checkIn,
    ...dateParts(sent),
    actual,
    stamp,
    stamp
  )
  return sent
}

const dateParts = (date: IsoDate): [number, number, number] => [
  Number(date.slice(0, 4)),
  Number(date.slice(5, 7)),
  Number(date.slice(8, 10))
]

const writeCampaigns = (db: BetterSqlite3.Database, asOf: IsoDate, stamp: string): void => {
  const day = (offset: number) => addDays(asOf, offset)
  const insertType = db.prepare(`INSERT INTO campaign_types (id, name, respect_exclusion_windows, enable_followups,
    days_before_event, target_all_contacts, priority, active, spread_evenly, skip_failed_underwriting, created_at,
    updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`)
  insertType.run(1, "rate_increase", 1, 1, 14, 0, 20, 0, 0, stamp, stamp)
  insertType.run(2, "promotion", 1, 1, 0, 1, 35, 1, 1, stamp, stamp)
  insertType.run(3, "initial_blast", 1, 1, 0, 1, 40, 0, 0, stamp, stamp)
  insertType.run(4, "check_in", 0, 1, 0, 1, 45, 0, 0, stamp, stamp)

  const insertInstance = db.prepare(`INSERT INTO campaign_instances (id, campaign_type, instance_name, email_template,
    sms_template, active_start_date, active_end_date, spread_start_date, spread_end_date, target_states,
    target_carriers, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  insertInstance.run(
    CAMPAIGN_IDS.rateIncrease,
    "rate_increase",
    "Rate increase notice",
    "rate_increase_email",
    "rate_increase_sms",
    day(-30),
    day(120),
    null,
    null,
    RATE_INCREASE_STATES.join(","),
    "Aetna, Humana ,cigna",
    stamp,
    stamp
  )
  insertInstance.run(
    CAMPAIGN_IDS.promotion,
    "promotion",
    "Winter plan review",
    "promotion_email",
    null,
    day(-7),
    day(45),
    day(-7),
    day(30),
    "CA,AZ,NV,TX,FL",
    null,
    stamp,
    stamp
  )
  insertInstance.run(
    CAMPAIGN_IDS.initialBlast,
    "initial_blast",
    "Welcome to the agency",
    "welcome_email",
    "welcome_sms",
    day(0), // starts on the generation date: path-A instances send on their start date (spec §7.5)
    day(30),
    null,
    null,
    "ALL",
    "",
    stamp,
    stamp
  )
  insertInstance.run(
    CAMPAIGN_IDS.checkIn,
    "check_in",
    "Autumn check-in",
    "check_in_email",
    null,
    day(-40),
    day(-5),
    null,
    null,
    null,
    null,
    stamp,
    stamp
  )
}
