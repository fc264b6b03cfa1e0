import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { createPlanReuseTables } from "../plan-reuse-records.js"

/** Issue 11, plan reuse: the records of contacts whose stored rows were their plan (db/plan-reuse-records.ts). */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  for (const statement of createPlanReuseTables) yield* sql.unsafe(statement)
})
