import type { IsoDate } from "../domain/dates.js"
import type { StateCode } from "../domain/states.js"

/** State rules are shipped data, never stored in the database (spec §4.1). */
export type RuleKind = "birthday" | "effective_date" | "year_round"

export interface StateRule {
  /** `<ruleset>:<STATE>:<kind>:<version>` */
  readonly id: string
  readonly state: StateCode
  readonly kind: RuleKind
  readonly daysBefore: number
  readonly daysAfter: number
  readonly useMonthStart: boolean
  /** Inclusive; undefined = open. */
  readonly effectiveFrom: IsoDate | undefined
  readonly effectiveTo: IsoDate | undefined
  readonly source: string
}

export interface Ruleset {
  readonly name: RulesetName
  readonly version: number
  readonly rules: ReadonlyArray<StateRule>
}

export const RULESET_NAMES = ["baseline", "statutes-2026"] as const
export type RulesetName = (typeof RULESET_NAMES)[number]

export const isRulesetName = (name: string): name is RulesetName =>
  (RULESET_NAMES as ReadonlyArray<string>).includes(name)

interface RuleRow {
  readonly state: StateCode
  readonly kind: RuleKind
  readonly before?: number
  readonly after?: number
  readonly monthStart?: boolean
  readonly from?: IsoDate
  readonly to?: IsoDate
  readonly version?: number
  readonly source: string
}

const rule =
  (ruleset: RulesetName) =>
  (row: RuleRow): StateRule => ({
    id: `${ruleset}:${row.state}:${row.kind}:${row.version ?? 1}`,
    state: row.state,
    kind: row.kind,
    daysBefore: row.before ?? 0,
    daysAfter: row.after ?? 0,
    useMonthStart: row.monthStart ?? false,
    effectiveFrom: row.from,
    effectiveTo: row.to,
    source: row.source
  })

const PREDECESSOR = "predecessor system's rule table"

/** Spec §4.2: the predecessor's table, all rules open-ended. */
export const BASELINE: Ruleset = {
  name: "baseline",
  version: 1,
  rules: (
    [
      { state: "CA", kind: "birthday", before: 30, after: 60, source: PREDECESSOR },
      { state: "ID", kind: "birthday", after: 63, source: PREDECESSOR },
      { state: "KY", kind: "birthday", after: 60, source: PREDECESSOR },
      { state: "MD", kind: "birthday", after: 30, source: PREDECESSOR },
      { state: "NV", kind: "birthday", after: 60, monthStart: true, source: PREDECESSOR },
      { state: "OK", kind: "birthday", after: 60, source: PREDECESSOR },
      { state: "OR", kind: "birthday", after: 31, source: PREDECESSOR },
      { state: "VA", kind: "birthday", after: 30, source: PREDECESSOR },
      { state: "MO", kind: "effective_date", before: 30, after: 33, source: PREDECESSOR },
      { state: "CT", kind: "year_round", source: PREDECESSOR },
      { state: "MA", kind: "year_round", source: PREDECESSOR },
      { state: "NY", kind: "year_round", source: PREDECESSOR },
      { state: "WA", kind: "year_round", source: PREDECESSOR }
    ] satisfies ReadonlyArray<RuleRow>
  ).map(rule("baseline"))
}

/** Spec §4.3. Not legal advice: the project's reading of state law as researched in 2026. */
export const STATUTES_2026: Ruleset = {
  name: "statutes-2026",
  version: 1,
  rules: (
    [
      {
        state: "CA",
        kind: "birthday",
        before: 30,
        after: 60,
        from: "2020-01-01",
        source:
          "60 days starting on the birthday (SB 407, 2020); the 30 days before are carrier practice, kept for caution. https://cahealthadvocates.org/medigaps-birthday-rule-is-extended-to-60-days/"
      },
      {
        state: "ID",
        kind: "birthday",
        after: 63,
        from: "2022-03-01",
        source:
          "63 days from the birthday (IDAPA 18.04.10). https://doi.idaho.gov/shiba/new-to-medicare/medicare-supplement-medigap/recent-changes-to-medicare-supplement-law-and-rules/"
      },
      {
        state: "IL",
        kind: "birthday",
        after: 45,
        from: "2022-01-01",
        source:
          "45 days from the birthday, ages 65–75, same issuer (SB 147; P.A. 103-0747). https://smsteam.net/illinois-birthday-rule-update-for-medicare-policyholders/ · https://billtrack50.com/billdetail/1537053"
      },
      {
        state: "IN",
        kind: "birthday",
        after: 60,
        from: "2026-01-01",
        source:
          "60 days after the birthday, age 65+, same plan letter (HEA 1226 of 2025); one source says 30 days. https://help.ihealthagents.com/hc/en-us/articles/36287266392343 · https://cdi-cares.com/blog/the-birthday-rule-coming-in-2026"
      },
      {
        state: "KY",
        kind: "birthday",
        after: 60,
        from: "2024-01-01",
        source:
          "60 days from the birthday, same plan letter (HB 345 of 2023). https://healthnews.com/medicare/supplement/medicare-supplement-new-changes-in-kentucky/"
      },
      {
        state: "LA",
        kind: "birthday",
        after: 63,
        source:
          "63 calendar days from the birthday (La. R.S. 22:1112(A)); start date not confirmed. https://lawserver.com/law/state/louisiana/la-laws/louisiana_revised_statutes_22-1112"
      },
      {
        state: "MD",
        kind: "birthday",
        after: 30,
        from: "2023-07-01",
        source:
          "on or up to 30 days after the birthday (COMAR 31.10.06.06). https://regulations.justia.com/states/maryland/title-31/subtitle-10/chapter-31-10-06/section-31-10-06-06"
      },
      {
        state: "NV",
        kind: "birthday",
        after: 60,
        monthStart: true,
        from: "2022-01-01",
        source:
          "from the 1st day of the birth month, at least 60 days (NRS 687B.352). https://casetext.com/statute/nevada-revised-statutes/title-57-insurance/chapter-687b-contracts-of-insurance/general-provisions/section-687b352-open-enrollment-period-for-medicare-supplemental-policies-required-prohibited-acts-notice-treatment-of-medicare-supplemental-policies-purchased-during-open-enrollment-period-for-purposes-relating-to-payment-of-commissions"
      },
      {
        state: "OK",
        kind: "birthday",
        after: 60,
        source:
          "60 days from the birthday (OAC 365:10-5-129). https://oid.ok.gov/medicare-supplement-open-enrollment-faqs/"
      },
      {
        state: "OR",
        kind: "birthday",
        before: 30,
        after: 30,
        source:
          "30 days before through 30 days after the birthday (OAR 836-052-0143(2)). https://regulations.justia.com/states/oregon/chapter-836/division-52/section-836-052-0143"
      },
      {
        state: "UT",
        kind: "birthday",
        after: 60,
        from: "2025-05-07",
        source:
          "60 days from the birthday, same insurer (Utah Code 31A-22-620 as amended 2025); agent source only. https://medicarenationwide.com/2025-utah-medicare-supplement-birthday-rule"
      },
      {
        state: "VA",
        kind: "birthday",
        after: 30,
        to: "2025-06-30",
        version: 1,
        source: "value carried over from the baseline table; no statute found before 2025-07-01"
      },
      {
        state: "VA",
        kind: "birthday",
        after: 60,
        from: "2025-07-01",
        version: 2,
        source:
          "at least 60 days from the birthday (Va. Code § 38.2-3611; HB 2100 / SB 1199 of 2025). https://legiscan.com/VA/text/HB2100/2025 · https://billtrack50.com/billdetail/1767950/17934"
      },
      {
        state: "WY",
        kind: "birthday",
        after: 63,
        from: "2025-06-04",
        source:
          "63 days from the birthday (Ins. Reg. Ch. 35; Bulletin 06-2025). https://resourcepro.com/bulletin/wyoming-adopts-birthday-rule-for-medicare-supplement-policyholders"
      },
      {
        state: "MO",
        kind: "effective_date",
        before: 30,
        after: 33,
        source:
          "30 days before to 30 days after the policy anniversary; 3 extra days kept for caution (RSMo 376.993 not verified). https://medicareresources.org/medicare-benefits/medigap · https://medicare-365.com/missouri-medicare-supplement-anniversary-rule/"
      },
      {
        state: "CT",
        kind: "year_round",
        source: "guaranteed issue all year. https://healthinsurance.org/connecticut-medicare/"
      },
      {
        state: "MA",
        kind: "year_round",
        source:
          "annual Feb 1–Mar 31 open enrollment by law; insurers offer continuous enrollment. https://medicareresources.org/medicare-benefits/medigap"
      },
      {
        state: "NY",
        kind: "year_round",
        source: "continuous open enrollment. https://medicareresources.org/medicare-benefits/medigap"
      },
      {
        state: "WA",
        kind: "year_round",
        source:
          "replacement right at any time (RCW 48.66.045). https://codes.findlaw.com/wa/title-48-insurance/wa-rev-code-48-66-045/"
      }
    ] satisfies ReadonlyArray<RuleRow>
  ).map(rule("statutes-2026"))
}

export const RULESETS: Readonly<Record<RulesetName, Ruleset>> = {
  baseline: BASELINE,
  "statutes-2026": STATUTES_2026
}

/** `baseline@1`: the name and version written into checkpoints. */
export const rulesetId = (ruleset: Ruleset): string => `${ruleset.name}@${ruleset.version}`

/** Every state that has at least one rule in any shipped ruleset. */
export const RULE_STATES: ReadonlyArray<StateCode> = [
  ...new Set([...BASELINE.rules, ...STATUTES_2026.rules].map((r) => r.state))
].sort()
