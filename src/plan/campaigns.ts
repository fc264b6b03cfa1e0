import type { MalformedRow } from "../db/decode.js"
import type { CampaignInstanceRow, CampaignTypeRow } from "../domain/campaign.js"
import type { Contact } from "../domain/contact.js"
import { daysBetween, type IsoDate, readLooseDate } from "../domain/dates.js"
import type { Settings } from "../settings/settings.js"
import { Horizon } from "./horizon.js"

/** A parsed targeting list (spec §7.2): undefined means "everyone". */
export type TargetList = ReadonlySet<string> | undefined

export const parseTargetList = (raw: string | null): TargetList => {
  const items = (raw ?? "")
    .split(",")
    .map((item) => item.trim().toUpperCase())
    .filter((item) => item !== "")
  return items.length === 0 || items.includes("ALL") ? undefined : new Set(items)
}

/** An instance that runs today, with its type and parsed dates (spec §7.1). */
export interface ProcessedInstance {
  readonly id: number
  readonly name: string
  readonly type: CampaignTypeRow
  readonly emailType: string
  readonly emailTemplate: string | undefined
  readonly smsTemplate: string | undefined
  readonly activeStart: IsoDate | undefined
  readonly spread: { readonly start: IsoDate; readonly end: IsoDate } | undefined
  readonly states: TargetList
  readonly carriers: TargetList
}

/** Everything the planner needs to know about campaigns, computed once per run. */
export interface CampaignSetup {
  readonly instances: ReadonlyArray<ProcessedInstance>
  readonly instancesById: ReadonlyMap<number, ProcessedInstance>
  /** Types with a valid name, by name: follow-up parents and underwriting look them up (spec §7.8, §8.1). */
  readonly typesByName: ReadonlyMap<string, CampaignTypeRow>
  /**
   * Instances whose stored rows must stay exactly as they are: their `campaign_instances` row, or possibly their
   * `campaign_types` row, cannot be read, so nobody can tell whether they run (like a malformed contact's rows).
   */
  readonly untouchable: ReadonlySet<number>
  readonly warnings: ReadonlyArray<string>
  /**
   * Every instance's email and SMS templates, whether it runs today or not: plan reuse records code them
   * (run/plan-reuse.ts `recordStrings`), and the codes must be the same on every day.
   */
  readonly templates: ReadonlyArray<string>
  /** The first day on which an instance starts or stops running (plan/horizon.ts): every contact's plan may change. */
  readonly changesOn: IsoDate | undefined
}

/** Campaign rows that failed to decode (table, id and the column's problem). */
export interface UnreadableCampaignRows {
  readonly types: ReadonlyArray<MalformedRow>
  readonly instances: ReadonlyArray<MalformedRow>
}

const NONE_UNREADABLE: UnreadableCampaignRows = { types: [], instances: [] }

const VALID_NAME = /^[a-z0-9_]+$/

export const NO_CAMPAIGNS: CampaignSetup = {
  instances: [],
  instancesById: new Map(),
  typesByName: new Map(),
  untouchable: new Set(),
  warnings: [],
  templates: [],
  changesOn: undefined
}

/**
 * Spec §7.1: instances of an existing, active, validly named type, active today, in ascending id order. Rows that
 * cannot be decoded are reported, and the rows they may own are left untouched (`untouchable`).
 */
export const campaignSetup = (
  types: ReadonlyArray<CampaignTypeRow>,
  instances: ReadonlyArray<CampaignInstanceRow>,
  today: IsoDate,
  unreadable: UnreadableCampaignRows = NONE_UNREADABLE
): CampaignSetup => {
  const warnings: Array<string> = []
  const untouchable = new Set<number>()
  const horizon = new Horizon(today)
  for (const bad of [...unreadable.types, ...unreadable.instances]) {
    warnings.push(`${bad.message}; the email rows it may own are left untouched`)
  }
  for (const bad of unreadable.instances) if (typeof bad.id === "number") untouchable.add(bad.id)
  const typesByName = new Map<string, CampaignTypeRow>()
  for (const type of types) {
    if (VALID_NAME.test(type.name)) typesByName.set(type.name, type)
    else warnings.push(`campaign type ${type.id} has the name "${type.name}", which is not [a-z0-9_]+; it is ignored`)
  }
  const processed: Array<ProcessedInstance> = []
  for (const instance of [...instances].sort((a, b) => a.id - b.id)) {
    const type = typesByName.get(instance.campaign_type)
    const label = `campaign instance ${instance.id} (${instance.instance_name})`
    if (type === undefined) {
      // With an unreadable type row, an unknown name may be that row's: the instance's rows are kept as they are.
      if (unreadable.types.length > 0) untouchable.add(instance.id)
      else warnings.push(`${label} has the unknown campaign type "${instance.campaign_type}"; it is ignored`)
      continue
    }
    const dates = {
      active_start_date: readLooseDate(instance.active_start_date),
      active_end_date: readLooseDate(instance.active_end_date),
      spread_start_date: readLooseDate(instance.spread_start_date),
      spread_end_date: readLooseDate(instance.spread_end_date)
    }
    const bad = Object.entries(dates).filter(([, date]) => date._tag === "Invalid")
    if (bad.length > 0) {
      warnings.push(`${label} has an unreadable ${bad.map(([column]) => column).join(" and ")}; it is ignored`)
      continue
    }
    const valid = (read: (typeof dates)[keyof typeof dates]) => (read._tag === "Valid" ? read.date : undefined)
    const start = valid(dates.active_start_date)
    const end = valid(dates.active_end_date)
    const spreadStart = valid(dates.spread_start_date)
    const spreadEnd = valid(dates.spread_end_date)
    if (spreadStart !== undefined && spreadEnd !== undefined && spreadEnd < spreadStart) {
      warnings.push(`${label} has spread_end_date ${spreadEnd} before spread_start_date ${spreadStart}; it is ignored`)
      continue
    }
    const running =
      type.active && (start === undefined || !horizon.after(start)) && (end === undefined || horizon.notBefore(end))
    if (!running) continue
    if (type.target_all_contacts && type.days_before_event > 0 && !(type.spread_evenly && spreadStart && spreadEnd)) {
      warnings.push(
        `${label} targets all contacts with days_before_event ${type.days_before_event} > 0: its trigger is its start date, so it produces no email`
      )
    }
    processed.push({
      id: instance.id,
      name: instance.instance_name,
      type,
      emailType: `campaign_${type.name}`,
      emailTemplate: instance.email_template ?? undefined,
      smsTemplate: instance.sms_template ?? undefined,
      activeStart: start,
      spread:
        type.spread_evenly && spreadStart !== undefined && spreadEnd !== undefined
          ? { start: spreadStart, end: spreadEnd }
          : undefined,
      states: parseTargetList(instance.target_states),
      carriers: parseTargetList(instance.target_carriers)
    })
  }
  return {
    instances: processed,
    instancesById: new Map(processed.map((i) => [i.id, i])),
    typesByName,
    untouchable,
    warnings,
    templates: instances.flatMap((instance) =>
      [instance.email_template, instance.sms_template].filter((template) => template !== null)
    ),
    changesOn: horizon.first
  }
}

/** Spec §7.2: a contact matches an instance's state and carrier lists. */
export const matchesInstance = (instance: ProcessedInstance, contact: Contact, settings: Settings): boolean => {
  const stateOk =
    contact.state === undefined
      ? instance.states === undefined && settings.send_without_zipcode_for_universal
      : instance.states === undefined || instance.states.has(contact.state)
  const carrierOk =
    instance.carriers === undefined ||
    (contact.carrier !== undefined && instance.carriers.has(contact.carrier.toUpperCase()))
  return stateOk && carrierOk
}

/** The spread span of an instance in days (spec §7.5). */
export const spreadSpan = (spread: { readonly start: IsoDate; readonly end: IsoDate }): number =>
  daysBetween(spread.start, spread.end) + 1
