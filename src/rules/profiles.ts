import type { Settings, SizeProfileName } from "../settings/settings.js"

export interface SizeProfile {
  readonly name: SizeProfileName
  readonly dailyCapBasisPoints: number
  readonly edSoftLimit: number
  readonly edSmoothingWindowDays: number
  readonly batchSize: number
}

/** Spec §10.1. */
export const SIZE_PROFILES: Readonly<Record<SizeProfileName, SizeProfile>> = {
  small: { name: "small", dailyCapBasisPoints: 2000, edSoftLimit: 50, edSmoothingWindowDays: 3, batchSize: 1_000 },
  medium: { name: "medium", dailyCapBasisPoints: 1000, edSoftLimit: 200, edSmoothingWindowDays: 5, batchSize: 5_000 },
  large: { name: "large", dailyCapBasisPoints: 700, edSoftLimit: 500, edSmoothingWindowDays: 7, batchSize: 10_000 },
  enterprise: {
    name: "enterprise",
    dailyCapBasisPoints: 500,
    edSoftLimit: 1_000,
    edSmoothingWindowDays: 10,
    batchSize: 25_000
  }
}

/** Auto-detection from N, the number of processed contacts with a valid email (spec §10.1). */
export const detectProfile = (contacts: number): SizeProfileName =>
  contacts < 10_000 ? "small" : contacts < 100_000 ? "medium" : contacts < 500_000 ? "large" : "enterprise"

/** The load-balancing parameters of one run (spec §10.2), all integers. */
export interface LoadParameters {
  readonly profile: SizeProfileName
  readonly contacts: number
  readonly dailyCap: number
  readonly threshold: number
  readonly edSoftLimit: number
  readonly edSmoothingWindowDays: number
  readonly batchSize: number
}

export const loadParameters = (settings: Settings, contacts: number): LoadParameters => {
  const name = settings.size_profile ?? detectProfile(contacts)
  const profile = SIZE_PROFILES[name]
  const capBasisPoints = settings.daily_cap_basis_points ?? profile.dailyCapBasisPoints
  const dailyCap = Math.max(1, Math.floor((contacts * capBasisPoints) / 10_000))
  const softLimit = settings.ed_daily_soft_limit ?? profile.edSoftLimit
  return {
    profile: name,
    contacts,
    dailyCap,
    threshold: Math.floor((dailyCap * settings.overage_threshold_hundredths) / 100),
    edSoftLimit: Math.max(
      1,
      Math.min(softLimit, Math.floor((dailyCap * settings.ed_share_of_daily_cap_hundredths) / 100))
    ),
    edSmoothingWindowDays: settings.ed_smoothing_window_days ?? profile.edSmoothingWindowDays,
    batchSize: settings.batch_size ?? profile.batchSize
  }
}
