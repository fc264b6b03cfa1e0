/**
 * `email-scheduler/s3`: the S3 / Tigris object store. A separate entry so that `email-scheduler` itself never loads the
 * AWS SDK (issue 11): a host that syncs through S3 or Tigris imports this too.
 */
export { isTigrisEndpoint, s3Store } from "./storage/s3-store.js"
