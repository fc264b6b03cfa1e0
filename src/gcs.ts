/**
 * `email-scheduler/gcs`: the Google Cloud Storage object store. A separate entry so that `email-scheduler` itself never
 * loads the Google SDK (issue 11): a host that syncs through GCS imports this too.
 */
export { gcsStore } from "./storage/gcs-store.js"
