/** `npm run zip-table`: rewrites src/domain/zip/zip-state-table.ts from the installed zipcodes package. */
import { writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { zipTableSource } from "./zip-table.js"

// Run from the repository root (`npm run zip-table` builds first and runs the compiled copy).
writeFileSync(resolve("src/domain/zip/zip-state-table.ts"), zipTableSource())
