/**
 * Schema migrations. Each has a version; the applied ones are listed in
 * `schema_version`. Pending migrations run in order, each in its own
 * transaction together with its version row, so a crash leaves the schema at
 * one version or the next, never in between. Never edit a released migration:
 * append a new one.
 */
import type Database from 'better-sqlite3';
import { ANALYTICS_MIGRATION_SQL } from './analytics.repo.js';

export interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        phone TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        full_name TEXT NOT NULL,
        role TEXT NOT NULL,
        department_id TEXT,
        birth_date TEXT,
        inn TEXT,
        address TEXT,
        email_confirmed INTEGER NOT NULL,
        phone_confirmed INTEGER NOT NULL,
        locked INTEGER NOT NULL,
        experts_see_contacts INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX users_role ON users (role, created_at);
      CREATE INDEX users_department ON users (department_id, created_at);

      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX sessions_user ON sessions (user_id);

      CREATE TABLE codes (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        purpose TEXT NOT NULL,
        code_hash TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        consumed_at INTEGER,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX codes_user_channel ON codes (user_id, channel, created_at);

      CREATE TABLE departments (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        region TEXT NOT NULL,
        level TEXT NOT NULL
      ) STRICT;

      CREATE TABLE categories (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        department_id TEXT NOT NULL,
        deadline_days INTEGER NOT NULL,
        required_documents TEXT NOT NULL,
        extra_fields TEXT NOT NULL,
        keywords TEXT NOT NULL,
        archived INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE appeals (
        id TEXT PRIMARY KEY,
        number TEXT UNIQUE,
        citizen_id TEXT NOT NULL,
        category_id TEXT,
        department_id TEXT,
        type TEXT,
        subject TEXT NOT NULL,
        description TEXT NOT NULL,
        details TEXT NOT NULL,
        applicant TEXT NOT NULL,
        extra TEXT NOT NULL,
        region TEXT NOT NULL,
        priority TEXT NOT NULL,
        status TEXT NOT NULL,
        deadline_at INTEGER,
        assignee_id TEXT,
        expert_ids TEXT NOT NULL,
        resubmission_count INTEGER NOT NULL,
        access_code_hash TEXT,
        repeat_of_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        submitted_at INTEGER,
        status_changed_at INTEGER NOT NULL,
        version INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX appeals_citizen ON appeals (citizen_id, created_at);
      CREATE INDEX appeals_department ON appeals (department_id, status, deadline_at);
      CREATE INDEX appeals_assignee ON appeals (assignee_id, status);
      CREATE INDEX appeals_deadline ON appeals (deadline_at, created_at);
      CREATE INDEX appeals_created ON appeals (created_at);

      CREATE TABLE status_history (
        appeal_id TEXT NOT NULL REFERENCES appeals (id),
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        actor_id TEXT,
        actor_role TEXT NOT NULL,
        "from" TEXT NOT NULL,
        "to" TEXT NOT NULL,
        action TEXT NOT NULL,
        comment TEXT,
        PRIMARY KEY (appeal_id, seq)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor_id TEXT,
        action TEXT NOT NULL,
        subject_type TEXT NOT NULL,
        subject_id TEXT,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;

      CREATE TABLE chat_messages (
        appeal_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        client_id TEXT NOT NULL,
        author_id TEXT NOT NULL,
        author_role TEXT NOT NULL,
        text TEXT NOT NULL,
        internal INTEGER NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (appeal_id, seq),
        UNIQUE (appeal_id, client_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE chat_read_marks (
        appeal_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (appeal_id, user_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE yjs_updates (
        appeal_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        "update" BLOB NOT NULL,
        author_id TEXT,
        at INTEGER NOT NULL,
        PRIMARY KEY (appeal_id, seq)
      ) STRICT;

      CREATE TABLE yjs_versions (
        id TEXT PRIMARY KEY,
        appeal_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        author_ids TEXT NOT NULL,
        state BLOB NOT NULL
      ) STRICT;
      CREATE INDEX yjs_versions_appeal ON yjs_versions (appeal_id, at);

      CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        appeal_id TEXT NOT NULL,
        current_version INTEGER NOT NULL,
        versions TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX attachments_appeal ON attachments (appeal_id, created_at);

      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    // The Yjs log clustered by (appeal_id, seq): an append writes one B-tree
    // page (the room's) instead of two (the rowid table's last page and the
    // room's index page), halving the WAL frames of every keystroke.
    version: 2,
    sql: `
      CREATE TABLE yjs_updates_clustered (
        appeal_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        "update" BLOB NOT NULL,
        author_id TEXT,
        at INTEGER NOT NULL,
        PRIMARY KEY (appeal_id, seq)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO yjs_updates_clustered (appeal_id, seq, "update", author_id, at)
        SELECT appeal_id, seq, "update", author_id, at FROM yjs_updates;
      DROP TABLE yjs_updates;
      ALTER TABLE yjs_updates_clustered RENAME TO yjs_updates;
    `,
  },
  {
    // The case's entries beside its status history (supplements, corrections)
    // and how far each person has seen them.
    version: 3,
    sql: `
      CREATE TABLE case_entries (
        appeal_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        author_id TEXT NOT NULL,
        text TEXT NOT NULL,
        attachment_ids TEXT NOT NULL,
        changes TEXT NOT NULL,
        PRIMARY KEY (appeal_id, seq)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE case_entry_marks (
        appeal_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (appeal_id, user_id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    // The durable job table (jobs.port.ts): timed jobs and deliveries, leased by compare-and-set.
    version: 4,
    sql: `
      CREATE TABLE jobs (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        run_at INTEGER NOT NULL,
        payload TEXT,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        lease_token TEXT,
        lease_until INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX jobs_due ON jobs (state, run_at);
    `,
  },
  {
    // The law's clocks of each appeal (59-ФЗ) and the working-day calendar they run on.
    version: 5,
    sql: `
      ALTER TABLE appeals ADD COLUMN clocks TEXT;
      CREATE TABLE calendar_years (
        year INTEGER PRIMARY KEY,
        decree TEXT,
        days TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT
      ) STRICT;
    `,
  },
  {
    // Notifications (notifications.port.ts): each person's journal, settings and web-push subscriptions.
    version: 6,
    sql: `
      CREATE TABLE notifications (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        topic TEXT NOT NULL,
        appeal_id TEXT,
        appeal_number TEXT,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        link TEXT,
        at INTEGER NOT NULL,
        read_at INTEGER,
        deliveries TEXT NOT NULL
      ) STRICT;
      CREATE INDEX notifications_user ON notifications (user_id, at);
      CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

      CREATE TABLE notification_settings (
        user_id TEXT PRIMARY KEY,
        settings TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE push_subscriptions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        p256dh TEXT NOT NULL,
        auth TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);
    `,
  },
  {
    // Chat edits and withdrawals (ChatMessageRecord.editOf): entries of the room's log pointing at the
    // message they change, found by it when a page of messages is shown with their current text.
    version: 10,
    sql: `
      ALTER TABLE chat_messages ADD COLUMN edit_of INTEGER;
      ALTER TABLE chat_messages ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX chat_messages_edits ON chat_messages (appeal_id, edit_of) WHERE edit_of IS NOT NULL;
    `,
  },
  {
    // Canned replies of each department (canned.records.ts), listed by department and title.
    version: 11,
    sql: `
      CREATE TABLE canned_replies (
        id TEXT PRIMARY KEY,
        department_id TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        updated_by_name TEXT NOT NULL
      ) STRICT;
      CREATE INDEX canned_replies_department ON canned_replies (department_id, title);
    `,
  },
  {
    // After the decision (decision.records.ts): decision documents and the rating with its review, inside
    // the appeal's row so that a transition writes them in its own compare-and-set; the review's state
    // indexed for the supervisors' list of reviews.
    version: 12,
    sql: `
      ALTER TABLE appeals ADD COLUMN decisions TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE appeals ADD COLUMN feedback TEXT;
      CREATE INDEX appeals_review ON appeals (department_id, json_extract(feedback, '$.review.state'), created_at)
        WHERE feedback IS NOT NULL;
    `,
  },
  {
    // Linked appeals (group.records.ts): a group's row, and one row per member so that an appeal is in
    // one group at most and its group is found from it.
    version: 13,
    sql: `
      CREATE TABLE appeal_groups (
        id TEXT PRIMARY KEY,
        department_id TEXT NOT NULL,
        appeal_ids TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        version INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE appeal_group_members (
        appeal_id TEXT PRIMARY KEY,
        group_id TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX appeal_group_members_group ON appeal_group_members (group_id);
    `,
  },
  {
    // Links and kinds (link.records.ts): a complaint's subject, a suggestion's mark, an escalation's
    // origin and answer, the escalations of an appeal and the departments that read its room; departments'
    // parents (escalation goes up); repeats found by the appeal they repeat.
    version: 14,
    sql: `
      ALTER TABLE appeals ADD COLUMN complaint TEXT;
      ALTER TABLE appeals ADD COLUMN suggestion_mark TEXT;
      ALTER TABLE appeals ADD COLUMN escalation TEXT;
      ALTER TABLE appeals ADD COLUMN escalations TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE appeals ADD COLUMN reader_department_ids TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE departments ADD COLUMN parent_id TEXT;
      CREATE INDEX appeals_repeat_of ON appeals (repeat_of_id) WHERE repeat_of_id IS NOT NULL;
    `,
  },
  {
    // Accounts (docs/accounts.md): the accepted personal-data consent, each session's device, a contact change's new address.
    version: 15,
    sql: `
      ALTER TABLE users ADD COLUMN consent_version TEXT;
      ALTER TABLE users ADD COLUMN consent_accepted_at INTEGER;
      ALTER TABLE sessions ADD COLUMN user_agent TEXT;
      ALTER TABLE sessions ADD COLUMN ip TEXT;
      ALTER TABLE codes ADD COLUMN target TEXT;
      ALTER TABLE users ADD COLUMN locked_by TEXT;
    `,
  },
  {
    // Personal data (docs/privacy.md): the citizen's per-appeal choice whether invited experts see their
    // contacts; the access log (journal entries 'personal_data.read') read by person and by department.
    version: 16,
    sql: `
      ALTER TABLE appeals ADD COLUMN experts_see_contacts INTEGER DEFAULT 0;
      CREATE INDEX audit_access_subject ON audit (action, subject_id, seq);
      CREATE INDEX audit_access_department ON audit (action, json_extract(details, '$.departmentId'), seq);
    `,
  },
  {
    // Personal data exports and deleted accounts (personal-data.port.ts, docs/personal-data.md): an export's
    // state and ZIP blob by person; a deleted account's contacts kept for its appeals until the retention ends.
    version: 17,
    sql: `
      CREATE TABLE data_exports (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        state TEXT NOT NULL,
        blob_id TEXT,
        size INTEGER,
        created_at INTEGER NOT NULL,
        ready_at INTEGER,
        expires_at INTEGER
      ) STRICT;
      CREATE INDEX data_exports_user ON data_exports (user_id, created_at);
      CREATE INDEX data_exports_blob ON data_exports (blob_id) WHERE blob_id IS NOT NULL;
      CREATE TABLE retained_persons (
        user_id TEXT PRIMARY KEY,
        deleted_at INTEGER NOT NULL,
        retain_until INTEGER NOT NULL,
        email TEXT,
        phone TEXT,
        pseudonymised_at INTEGER,
        pseudonym TEXT
      ) STRICT;
    `,
  },
  {
    // Support conversations (docs/support.md): an appeal record of kind 'support', in the support department's queue
    // (read through the index on department and status: one department's appeals).
    version: 18,
    sql: `
      ALTER TABLE appeals ADD COLUMN kind TEXT NOT NULL DEFAULT 'appeal';
    `,
  },
  {
    // Search (search.port.ts, docs/search.md): an FTS5 table of stemmed terms, one row per appeal (its rowid is
    // search_docs.doc, which also keeps the version and chat seq indexed), and each message's current text.
    version: 19,
    sql: `
      CREATE TABLE search_docs (
        doc INTEGER PRIMARY KEY,
        appeal_id TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,
        chat_seq INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE search_chat (
        appeal_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        internal INTEGER NOT NULL,
        text TEXT NOT NULL,
        terms TEXT NOT NULL,
        PRIMARY KEY (appeal_id, seq)
      ) STRICT, WITHOUT ROWID;
      CREATE VIRTUAL TABLE search_fts USING fts5 (number, name, body, chat, notes, tags, tokenize = 'unicode61 remove_diacritics 0');
    `,
  },
  {
    // Analytics (analytics.port.ts): the denormalised an_* columns of each appeal, filled from the stored
    // records, and the covering index its figures read (department, submission time, the columns).
    version: 20,
    sql: ANALYTICS_MIGRATION_SQL,
  },
  {
    // Oversight (oversight.port.ts, docs/oversight.md): the journal read by appeal, person, action and
    // period (an entry's appeal is its subject or its details' appealId: the same expression in the queries);
    // Open311 keys and publication consents; webhooks and their delivery log.
    version: 21,
    sql: `
      CREATE INDEX audit_q_appeal ON audit ((CASE WHEN subject_type = 'appeal' THEN subject_id ELSE json_extract(details, '$.appealId') END), seq);
      CREATE INDEX audit_q_actor ON audit (actor_id, seq);
      CREATE INDEX audit_q_subject ON audit (subject_type, subject_id, seq);
      CREATE INDEX audit_q_action ON audit (action, seq);
      CREATE INDEX audit_q_at ON audit (at);
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        rate_per_minute INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at INTEGER
      ) STRICT;
      CREATE TABLE appeal_publicity (
        appeal_id TEXT PRIMARY KEY,
        is_public INTEGER NOT NULL,
        at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        secret TEXT NOT NULL,
        trusted INTEGER NOT NULL,
        allow_private INTEGER NOT NULL,
        active INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      ) STRICT;
      CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        webhook_id TEXT NOT NULL,
        event TEXT NOT NULL,
        body TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_status INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        delivered_at INTEGER,
        replay_of TEXT
      ) STRICT;
      CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at, id);
      CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, created_at, id);
    `,
  },
];

/** The schema version of the file (0 for a fresh one). */
export function schemaVersion(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
  const row = db.prepare<[], { v: number | null }>('SELECT MAX(version) AS v FROM schema_version').get();
  return row?.v ?? 0;
}

/** Applies the pending migrations in order, one transaction each; returns the final version. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, now = Date.now()): number {
  let current = schemaVersion(db);
  const record = db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)');
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, now);
    }).immediate();
    current = m.version;
  }
  return current;
}
