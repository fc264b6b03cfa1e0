/**
 * The fleet file: the organizations to dispatch and the variables their jobs share, e.g.
 *
 *   { "env": { "STORAGE": "s3", "BUCKET_NAME": "acme-scheduler" },
 *     "organizations": [ { "org": "acme", "rootfsSizeGb": 20 }, { "org": "zenith", "env": { "AS_OF": "2026-12-01" } } ] }
 *
 * Organizations can also come from the bucket (`organizationsInStore`): every `org-data/<org>.db` object.
 */
import { Effect, Schema } from "effect"
import type { ObjectStore } from "../storage/ObjectStore.js"

const Env = Schema.Record({ key: Schema.String, value: Schema.String })
const OrgId = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9._-]{1,64}$/), Schema.annotations({ title: "ORG_ID" }))

export const FleetOrganization = Schema.Struct({
  org: OrgId,
  env: Schema.optional(Env),
  region: Schema.optional(Schema.String),
  rootfsSizeGb: Schema.optional(Schema.Int.pipe(Schema.between(1, 500)))
})

export const FleetFile = Schema.Struct({
  env: Schema.optionalWith(Env, { default: () => ({}) }),
  organizations: Schema.Array(FleetOrganization)
})
export type FleetFile = typeof FleetFile.Type

export const decodeFleetFile = Schema.decodeUnknown(Schema.parseJson(FleetFile))

/** `org-data/acme.db` → acme; conflict copies and other objects are not organizations. */
export const organizationsInStore = (store: ObjectStore["Type"]) =>
  Effect.map(store.list("org-data/"), (keys) =>
    keys.flatMap((key) => {
      const match = /^org-data\/([A-Za-z0-9._-]{1,64})\.db$/.exec(key)
      return match === null ? [] : [{ org: match[1]! }]
    })
  )
