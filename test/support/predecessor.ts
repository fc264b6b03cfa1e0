import BetterSqlite3 from "better-sqlite3"
import { Random } from "../../src/generate/random.js"

/**
 * Builds a small database in the predecessor's shape with the variants the foundation issue names: legacy email_schedules columns, a UNIQUE (contact_id, email_type,
 * event_year) *table constraint*, campaign tables and an organizations table with fewer columns, and rows in each.
 */
export const buildPredecessorDatabase = (path: string): void => {
  const db = new BetterSqlite3(path)
  db.exec(`
    CREATE TABLE contacts (
      id INTEGER PRIMARY KEY AUTOINCREMENT, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
      email TEXT NOT NULL UNIQUE, current_carrier TEXT NOT NULL, plan_type TEXT NOT NULL,
      effective_date TEXT NOT NULL, birth_date TEXT NOT NULL, tobacco_user INTEGER NOT NULL, gender TEXT NOT NULL,
      state TEXT NOT NULL, zip_code TEXT NOT NULL, agent_id INTEGER, last_emailed DATETIME,
      phone_number TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'active',
      created_at DATETIME DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP);
    CREATE TABLE email_schedules (
      id INTEGER PRIMARY KEY AUTOINCREMENT, contact_id INTEGER NOT NULL, email_type TEXT NOT NULL,
      scheduled_send_date TEXT NOT NULL, scheduled_send_time TEXT NOT NULL DEFAULT '08:30:00',
      status TEXT NOT NULL DEFAULT 'scheduled', skip_reason TEXT,
      created_at TEXT NOT NULL DEFAULT (datetime('now')), updated_at TEXT NOT NULL DEFAULT (datetime('now')),
      batch_id TEXT, event_year INTEGER, event_month INTEGER, event_day INTEGER, catchup_note TEXT,
      campaign_type TEXT, trigger_date TEXT, sent_at TEXT, sendgrid_message_id TEXT, actual_send_datetime TEXT,
      UNIQUE (contact_id, email_type, event_year),
      FOREIGN KEY (contact_id) REFERENCES contacts(id) ON DELETE CASCADE);
    CREATE UNIQUE INDEX idx_email_schedules_unique ON email_schedules(contact_id, email_type, scheduled_send_date);
    CREATE INDEX idx_email_schedules_status ON email_schedules(status);
    CREATE TRIGGER update_email_schedules_updated_at AFTER UPDATE ON email_schedules FOR EACH ROW
      BEGIN UPDATE email_schedules SET updated_at = CURRENT_TIMESTAMP WHERE id = OLD.id; END;
    CREATE TABLE campaign_types (
      id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, respect_exclusion_windows INTEGER NOT NULL DEFAULT 1,
      enable_followups INTEGER NOT NULL DEFAULT 1, days_before_event INTEGER NOT NULL DEFAULT 0,
      target_all_contacts INTEGER NOT NULL DEFAULT 0, priority INTEGER NOT NULL DEFAULT 30,
      active INTEGER NOT NULL DEFAULT 1);
    CREATE TABLE campaign_instances (
      id INTEGER PRIMARY KEY, campaign_type TEXT NOT NULL, instance_name TEXT NOT NULL, email_template TEXT,
      sms_template TEXT, active_start_date TEXT, active_end_date TEXT, metadata TEXT);
    CREATE TABLE contact_campaigns (
      id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, campaign_instance_id INTEGER NOT NULL,
      trigger_date TEXT, status TEXT NOT NULL DEFAULT 'pending', metadata TEXT);
    CREATE TABLE organizations (
      id INTEGER PRIMARY KEY, name TEXT NOT NULL, timezone TEXT, pre_exclusion_buffer_days INTEGER,
      birthday_days_before INTEGER, effective_date_days_before INTEGER, size_profile TEXT DEFAULT 'medium',
      config_overrides TEXT);
  `)
  const contact = db.prepare(`INSERT INTO contacts (first_name, last_name, email, current_carrier, plan_type,
    effective_date, birth_date, tobacco_user, gender, state, zip_code) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'F', ?, ?)`)
  const email = db.prepare(`INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status,
    event_year, event_month, event_day, batch_id, catchup_note, campaign_type, trigger_date)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  db.transaction(() => {
    for (let i = 1; i <= 50; i++) {
      contact.run("Ann", `Lee${i}`, `ann${i}@example.com`, "Aetna", "G", "2019-03-01", "1951-06-15", "CA", "90210")
      email.run(
        i,
        "birthday",
        "2026-06-01",
        i % 2 === 0 ? "sent" : "pre-scheduled",
        2026,
        6,
        15,
        "b1",
        null,
        null,
        null
      )
      email.run(i, "campaign", "2026-07-01", "scheduled", 2026, 7, 1, "b2", "late", "rate_increase", "2026-07-15")
    }
    db.exec(`INSERT INTO campaign_types (id, name, days_before_event, priority) VALUES (1, 'rate_increase', 14, 20);
      INSERT INTO campaign_instances (id, campaign_type, instance_name, active_start_date, metadata)
        VALUES (1, 'rate_increase', 'Rate increase 2026', '2026-01-01', '{"note":"kept"}');
      INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date, status)
        VALUES (1, 1, '2026-07-15', 'pending'), (2, 1, NULL, 'sent');
      INSERT INTO organizations (id, name, timezone, pre_exclusion_buffer_days, config_overrides)
        VALUES (1, 'Predecessor Agency', 'America/New_York', 45, '{"batch_size": 500}');
      DELETE FROM email_schedules WHERE id = 100;`)
  })()
  db.close()
}

/**
 * The predecessor's production schema exactly as its databases have it: the contacts table with its UNIQUE email and
 * three single-column indexes, and email_schedules with the sender's columns, ten indexes (two exact duplicates, three
 * left prefixes, the legacy unique event index) and the `updated_at` trigger. No campaign, organization or checkpoint
 * tables: the scheduler's migrations create them.
 */
const PREDECESSOR_SCHEMA = `
  CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE, current_carrier TEXT NOT NULL, plan_type TEXT NOT NULL, effective_date TEXT NOT NULL,
    birth_date TEXT NOT NULL, tobacco_user INTEGER NOT NULL, gender TEXT NOT NULL, state TEXT NOT NULL,
    zip_code TEXT NOT NULL, agent_id INTEGER, last_emailed DATETIME, phone_number TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active', created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP);
  CREATE TABLE email_schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT, contact_id INTEGER NOT NULL, email_type TEXT NOT NULL,
    scheduled_send_date TEXT NOT NULL, scheduled_send_time TEXT NOT NULL DEFAULT '08:30:00',
    status TEXT NOT NULL DEFAULT 'scheduled', skip_reason TEXT, created_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at TEXT NOT NULL DEFAULT (datetime('now')), batch_id TEXT, event_year INTEGER, event_month INTEGER,
    event_day INTEGER, catchup_note TEXT, sent_at TEXT, sendgrid_message_id TEXT, sms_sent_at TEXT, twilio_sms_id TEXT,
    actual_send_datetime TEXT, priority INTEGER DEFAULT 10, campaign_instance_id INTEGER, email_template TEXT,
    sms_template TEXT, scheduler_run_id TEXT, metadata TEXT,
    FOREIGN KEY (contact_id) REFERENCES contacts(id) ON DELETE CASCADE);
  CREATE INDEX idx_contacts_birth_date ON contacts(birth_date);
  CREATE INDEX idx_contacts_effective_date ON contacts(effective_date);
  CREATE INDEX idx_contacts_state ON contacts(state);
  CREATE INDEX idx_email_schedules_date_time_status
    ON email_schedules(scheduled_send_date, scheduled_send_time, status);
  CREATE UNIQUE INDEX idx_email_schedules_unique ON email_schedules(contact_id, email_type, scheduled_send_date);
  CREATE INDEX idx_email_schedules_org_contact ON email_schedules(contact_id);
  CREATE INDEX idx_email_schedules_org_send_date ON email_schedules(scheduled_send_date);
  CREATE INDEX idx_email_schedules_status ON email_schedules(status);
  CREATE UNIQUE INDEX idx_email_schedules_unique_event ON email_schedules(contact_id, email_type, event_year);
  CREATE INDEX idx_email_schedules_event_date ON email_schedules(event_year, event_month, event_day);
  CREATE INDEX idx_schedules_lookup ON email_schedules(contact_id, email_type, scheduled_send_date);
  CREATE INDEX idx_schedules_status_date ON email_schedules(status, scheduled_send_date);
  CREATE INDEX idx_schedules_run_id ON email_schedules(scheduler_run_id);
  CREATE TRIGGER update_email_schedules_updated_at AFTER UPDATE ON email_schedules FOR EACH ROW
    BEGIN UPDATE email_schedules SET updated_at = CURRENT_TIMESTAMP WHERE id = OLD.id; END;`

const FIRST_NAMES = ["Michael", "Mary", "James", "Patricia", "Robert", "Linda", "John", "Barbara", "David", "Susan"]
const LAST_NAMES = ["Lee", "Sanchez", "Garcia", "Smith", "Johnson", "Brown", "Davis", "Miller", "Wilson", "Moore"]
const CARRIERS = [
  "Aetna",
  "Anthem",
  "Centene",
  "Cigna",
  "Humana",
  "Independence Blue Cross",
  "Kaiser Permanente",
  "Molina",
  "UnitedHealthcare"
]
const PLAN_TYPES = ["EPO", "HDHP", "HMO", "POS", "PPO"]
const MAIL_DOMAINS = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com"]
/** The 50 states, evenly used by the predecessor's data (DC and territories never appear). */
const STATES =
  `AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK
  OR PA RI SC SD TN TX UT VT VA WA WV WI WY`.split(/\s+/)

const isoDay = (random: Random, fromYear: number, toYear: number): string => {
  const day = Math.floor(Date.UTC(fromYear, 0, 1) / 86_400_000) + random.int(0, (toYear - fromYear + 1) * 365 - 1)
  return new Date(day * 86_400_000).toISOString().slice(0, 10)
}

/**
 * A database in the predecessor's production shape with `contacts` generated contacts and nothing else (no campaigns,
 * no email history), distributed as its production data is: every state about equally, random ZIP codes that mostly
 * disagree with the state, birth dates 1940–2005, effective dates 2020–2024. Deterministic for a seed.
 */
export const buildPredecessorShapedDatabase = (path: string, contacts: number, seed = 1): void => {
  const db = new BetterSqlite3(path)
  try {
    db.pragma("journal_mode = DELETE")
    db.exec(PREDECESSOR_SCHEMA)
    const random = new Random(seed)
    const insert = db.prepare(`INSERT INTO contacts (first_name, last_name, email, current_carrier, plan_type,
      effective_date, birth_date, tobacco_user, gender, state, zip_code, agent_id, phone_number, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '2026-11-29 09:10:28', '2026-11-29 09:10:28')`)
    db.transaction(() => {
      for (let id = 1; id <= contacts; id++) {
        const first = random.pick(FIRST_NAMES)
        const last = random.pick(LAST_NAMES)
        insert.run(
          first,
          last,
          `${first.toLowerCase()}.${last.toLowerCase()}.${id}.${1795943428 + seed}@${random.pick(MAIL_DOMAINS)}`,
          random.pick(CARRIERS),
          random.pick(PLAN_TYPES),
          isoDay(random, 2020, 2024),
          isoDay(random, 1940, 2005),
          random.int(0, 1),
          random.pick(["F", "M"]),
          random.pick(STATES),
          String(random.int(10000, 99999)),
          random.int(1, 50),
          `(${random.int(200, 999)}) ${random.int(200, 999)}-${String(random.int(0, 9999)).padStart(4, "0")}`
        )
      }
    })()
  } finally {
    db.close()
  }
}
