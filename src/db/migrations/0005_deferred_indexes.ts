import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { createDeferredIndexesTable } from "../deferred-indexes.js"

/** Issue 11: where a bulk write records the indexes it dropped until it builds them again (db/deferred-indexes.ts). */
export default Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(createDeferredIndexesTable))
