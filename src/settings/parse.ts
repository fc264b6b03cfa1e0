import { Either } from "effect"
import type { SettingKind } from "./definitions.js"

export type SettingValue = number | boolean | string

const INTEGER = /^[+-]?\d+$/
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)$/

/** Reads a flag or environment value. Booleans accept 1/0/true/false (spec §13.1). */
export const parseSettingText = (kind: SettingKind, raw: string): Either.Either<SettingValue, string> => {
  const text = raw.trim()
  switch (kind) {
    case "int":
      return INTEGER.test(text) ? Either.right(Number(text)) : Either.left(`"${raw}" is not a whole number`)
    case "real":
      return DECIMAL.test(text) ? Either.right(Number(text)) : Either.left(`"${raw}" is not a number`)
    case "bool": {
      const lower = text.toLowerCase()
      if (lower === "1" || lower === "true") return Either.right(true)
      if (lower === "0" || lower === "false") return Either.right(false)
      return Either.left(`"${raw}" is not one of 1, 0, true, false`)
    }
    case "text":
      return text === "" ? Either.left("the value is empty") : Either.right(text)
  }
}

/** Reads a value stored in a SQLite column; text in a numeric column is read like a flag. */
export const parseSettingColumn = (kind: SettingKind, value: unknown): Either.Either<SettingValue, string> => {
  if (typeof value === "string") return parseSettingText(kind, value)
  if (typeof value === "number") {
    switch (kind) {
      case "int":
        return Number.isInteger(value) ? Either.right(value) : Either.left(`${value} is not a whole number`)
      case "real":
        return Either.right(value)
      case "bool":
        return value === 0 || value === 1 ? Either.right(value === 1) : Either.left(`${value} is not 0 or 1`)
      case "text":
        return Either.left(`${value} is not text`)
    }
  }
  return Either.left("the stored value is neither text nor a number")
}

/** A value of `config_overrides` must already have the right JSON type (spec §13.2). */
export const parseOverrideValue = (kind: SettingKind, value: unknown): Either.Either<SettingValue, string> => {
  if (typeof value !== "number") return Either.left(`${JSON.stringify(value)} is not a number`)
  return kind === "int" && !Number.isInteger(value)
    ? Either.left(`${value} is not a whole number`)
    : Either.right(value)
}
