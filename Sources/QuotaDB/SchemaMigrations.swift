import GRDB

/// The database schema, as versioned migrations in code.
///
/// Each migration also stamps `PRAGMA user_version`, so a database written by a newer Tollgate
/// is recognised (and refused) before anything is read or written.
enum SchemaMigrations {
    /// The newest schema version this build understands.
    static let currentVersion = 9

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: accounts, users, wallets, reservations, ledger, schedules") { db in
            try db.execute(sql: v1)
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        migrator.registerMigration("v2: held jobs, release grants, job events, sign-in credentials") { db in
            try db.execute(sql: v2)
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        // Failed sign-ins are the station's SignInLimiter's (per name and address): a lock in the
        // database let anyone lock anyone's PIN everywhere.
        migrator.registerMigration("v3: no PIN lock in the database") { db in
            try db.execute(sql: """
                ALTER TABLE credential DROP COLUMN failed_attempts;
                ALTER TABLE credential DROP COLUMN locked_until;
                PRAGMA user_version = 3;
                """)
        }
        // What a running job's printer had confirmed (the backend writes it as the real backend
        // reports it), for reconcile after a backend died: evidence, not "cupsd says completed".
        migrator.registerMigration("v4: delivery evidence of running jobs") { db in
            try db.execute(sql: """
                CREATE TABLE delivery (
                    job_key    TEXT PRIMARY KEY REFERENCES reservation(job_key),
                    amount     INTEGER NOT NULL CHECK (amount >= 0),
                    evidence   TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                PRAGMA user_version = 4;
                """)
        }
        // The Accounts API (issue 15): OAuth clients (secrets stored as SHA-256 only), their
        // short-lived bearer tokens (hashed too), the responses of money-moving calls by
        // Idempotency-Key (a retried call returns the first answer and moves money once), and
        // users' e-mail addresses (Pharos's `useremail`), and payment sites' callback keys.
        migrator.registerMigration("v5: API clients, tokens, idempotency keys, user e-mail, payment sites") { db in
            try db.execute(sql: """
                ALTER TABLE user ADD COLUMN email TEXT COLLATE NOCASE;
                CREATE UNIQUE INDEX user_email ON user(email) WHERE email IS NOT NULL;

                CREATE TABLE api_client (
                    id           TEXT PRIMARY KEY,
                    name         TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) > 0),
                    secret_hash  BLOB NOT NULL CHECK (length(secret_hash) = 32),   -- SHA-256 of the secret
                    scopes       TEXT NOT NULL,                                     -- space-separated
                    created_at   INTEGER NOT NULL,
                    created_by   TEXT NOT NULL,
                    last_used_at INTEGER,
                    revoked_at   INTEGER
                ) WITHOUT ROWID;

                CREATE TABLE api_token (
                    token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),      -- SHA-256 of the bearer token
                    client_id  TEXT NOT NULL REFERENCES api_client(id),
                    scopes     TEXT NOT NULL,
                    issued_at  INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX api_token_client ON api_token(client_id);
                CREATE INDEX api_token_expiry ON api_token(expires_at);

                CREATE TABLE idempotency_key (
                    client_id   TEXT NOT NULL,
                    key         TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,       -- SHA-256 of method, path and body
                    status      INTEGER NOT NULL,
                    body        BLOB NOT NULL,
                    ledger_id   INTEGER REFERENCES ledger(id),
                    created_at  INTEGER NOT NULL,
                    PRIMARY KEY (client_id, key)
                ) WITHOUT ROWID;

                -- Payment sites that call back after a top-up, each with its HMAC key (it must be
                -- kept to verify signatures: the database is root's alone, 0600).
                CREATE TABLE payment_site (
                    name       TEXT PRIMARY KEY COLLATE NOCASE CHECK (length(trim(name)) > 0),
                    secret     BLOB NOT NULL CHECK (length(secret) >= 32),
                    created_at INTEGER NOT NULL,
                    created_by TEXT NOT NULL
                ) WITHOUT ROWID;
                PRAGMA user_version = 5;
                """)
        }
        // Top-up vouchers sold at a help desk: only each code's SHA-256 is kept (a copy of the
        // database gives no unredeemed code away); wrong codes are counted per user.
        migrator.registerMigration("v6: top-up vouchers") { db in
            try db.execute(sql: """
                CREATE TABLE voucher_batch (
                    id         INTEGER PRIMARY KEY AUTOINCREMENT,
                    value      INTEGER NOT NULL CHECK (value > 0),
                    count      INTEGER NOT NULL CHECK (count > 0),
                    created_at INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    expires_at INTEGER,
                    voided_at  INTEGER,
                    voided_by  TEXT
                );
                CREATE TABLE voucher (
                    code_hash   BLOB PRIMARY KEY CHECK (length(code_hash) = 32),
                    batch_id    INTEGER NOT NULL REFERENCES voucher_batch(id),
                    redeemed_by TEXT,
                    redeemed_at INTEGER,
                    ledger_id   INTEGER REFERENCES ledger(id)
                ) WITHOUT ROWID;
                CREATE INDEX voucher_batch_id ON voucher(batch_id);
                CREATE TABLE voucher_attempt (
                    user_name TEXT NOT NULL,
                    at        INTEGER NOT NULL
                );
                CREATE INDEX voucher_attempt_user ON voucher_attempt(user_name, at);
                PRAGMA user_version = 6;
                """)
        }
        // Mail to users (held for funds, waiting for release, soft limit, refund, expiry): written
        // by whoever sees the event, sent by tollgated, so a mail outage never holds up a job.
        migrator.registerMigration("v7: notifications outbox, per-user opt-out") { db in
            try db.execute(sql: """
                ALTER TABLE user ADD COLUMN notify INTEGER NOT NULL DEFAULT 1 CHECK (notify IN (0, 1));
                CREATE TABLE notification (
                    id         INTEGER PRIMARY KEY AUTOINCREMENT,
                    user_name  TEXT NOT NULL,
                    kind       TEXT NOT NULL,
                    subject    TEXT NOT NULL,
                    body       TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    sent_at    INTEGER,
                    attempts   INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT
                );
                CREATE INDEX notification_pending ON notification(created_at) WHERE sent_at IS NULL;
                PRAGMA user_version = 7;
                """)
        }
        // What reports group by besides user and account: the queue and the application; and
        // the account a held job asked for at submit (the station offers it first).
        migrator.registerMigration("v8: the queue and application of each job, the account a held job asked for") { db in
            try db.execute(sql: """
                ALTER TABLE reservation ADD COLUMN queue TEXT;
                ALTER TABLE reservation ADD COLUMN application TEXT;
                ALTER TABLE held_job ADD COLUMN requested_account TEXT;
                PRAGMA user_version = 8;
                """)
        }
        // All-time usage per user and balance, so all-time reports need not read the whole ledger.
        migrator.registerMigration("v9: usage totals") { db in
            try db.execute(sql: UsageTotals.sqliteTable)
            try db.execute(sql: UsageTotals.backfill)
            try db.execute(sql: "PRAGMA user_version = 9")
        }
        return migrator
    }

    private static let v1 = """
    CREATE TABLE setting (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE account (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        name          TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) > 0),
        code          TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(code)) > 0),
        enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        starts_at     INTEGER,               -- unix ms, inclusive
        expires_at    INTEGER,               -- unix ms, exclusive
        archived      INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
        access        TEXT NOT NULL CHECK (access IN ('global', 'restricted')),
        soft_limit    INTEGER,               -- minor units; both NULL = unlimited
        hard_limit    INTEGER,
        created_at    INTEGER NOT NULL,
        CHECK ((soft_limit IS NULL) = (hard_limit IS NULL)),
        CHECK (soft_limit IS NULL OR (soft_limit >= 0 AND soft_limit <= hard_limit)),
        CHECK (starts_at IS NULL OR expires_at IS NULL OR starts_at < expires_at)
    );

    CREATE TABLE account_grant (
        account_id INTEGER NOT NULL REFERENCES account(id),
        kind       TEXT NOT NULL CHECK (kind IN ('user', 'group')),
        name       TEXT NOT NULL,
        PRIMARY KEY (account_id, kind, name)
    ) WITHOUT ROWID;

    CREATE TABLE local_group (
        name       TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
        created_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE local_group_member (
        group_name TEXT NOT NULL REFERENCES local_group(name) ON DELETE CASCADE,
        user_name  TEXT NOT NULL,
        PRIMARY KEY (group_name, user_name)
    ) WITHOUT ROWID;
    CREATE INDEX local_group_member_user ON local_group_member(user_name);

    -- One row per user Tollgate has seen; wallet_balance caches the ledger sum of wallet rows.
    CREATE TABLE user (
        name              TEXT PRIMARY KEY,
        wallet_balance    INTEGER NOT NULL DEFAULT 0,
        active_account_id INTEGER REFERENCES account(id),
        active_set_by     TEXT,             -- 'job', 'user', 'admin'
        active_set_at     INTEGER,
        created_at        INTEGER NOT NULL
    ) WITHOUT ROWID;

    -- Per user per account; balance caches the ledger sum of the account's rows = −usage.
    CREATE TABLE allocation (
        account_id INTEGER NOT NULL REFERENCES account(id),
        user_name  TEXT NOT NULL REFERENCES user(name),
        balance    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, user_name)
    ) WITHOUT ROWID;

    -- One row per job key: the current state of its funds (mutable; the ledger keeps the history).
    CREATE TABLE reservation (
        job_key          TEXT PRIMARY KEY,
        user_name        TEXT NOT NULL REFERENCES user(name),
        account_id       INTEGER REFERENCES account(id),
        account_part     INTEGER NOT NULL CHECK (account_part >= 0),
        wallet_part      INTEGER NOT NULL CHECK (wallet_part >= 0),
        policy           TEXT NOT NULL CHECK (policy IN ('cover', 'positive', 'track')),
        state            TEXT NOT NULL CHECK (state IN ('reserved', 'settled', 'released')),
        refunded_account INTEGER NOT NULL DEFAULT 0 CHECK (refunded_account BETWEEN 0 AND account_part),
        refunded_wallet  INTEGER NOT NULL DEFAULT 0 CHECK (refunded_wallet BETWEEN 0 AND wallet_part),
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX reservation_state ON reservation(state) WHERE state = 'reserved';

    -- Append-only: triggers below reject UPDATE and DELETE.
    CREATE TABLE ledger (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        at             INTEGER NOT NULL,     -- unix ms
        kind           TEXT NOT NULL CHECK (kind IN ('reserve', 'debit', 'release', 'credit', 'top-up', 'refund', 'adjustment')),
        job_key        TEXT,
        user_name      TEXT NOT NULL,
        account_id     INTEGER REFERENCES account(id),   -- NULL: personal wallet
        amount         INTEGER NOT NULL,
        balance_effect INTEGER NOT NULL,
        balance_after  INTEGER NOT NULL,
        reason         TEXT NOT NULL DEFAULT '',
        actor          TEXT NOT NULL,
        reference      TEXT
    );
    CREATE INDEX ledger_job ON ledger(job_key) WHERE job_key IS NOT NULL;
    CREATE INDEX ledger_user ON ledger(user_name, at);
    CREATE INDEX ledger_account ON ledger(account_id, at);
    CREATE INDEX ledger_at ON ledger(at);
    CREATE UNIQUE INDEX ledger_topup_reference ON ledger(reference) WHERE kind = 'top-up' AND reference IS NOT NULL;

    CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
    BEGIN SELECT RAISE(ABORT, 'ledger is append-only: rows cannot be changed'); END;
    CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
    BEGIN SELECT RAISE(ABORT, 'ledger is append-only: rows cannot be deleted'); END;

    CREATE TABLE schedule (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
        target_kind   TEXT NOT NULL CHECK (target_kind IN ('user', 'group', 'everyone')),
        target        TEXT NOT NULL DEFAULT '',
        account_id    INTEGER REFERENCES account(id),     -- NULL: personal wallet
        mode          TEXT NOT NULL CHECK (mode IN ('add', 'reset-to')),
        amount        INTEGER NOT NULL CHECK (amount >= 0),
        period        TEXT NOT NULL CHECK (period IN ('daily', 'weekly', 'monthly', 'once')),
        starts_at     INTEGER NOT NULL,     -- first period that may be applied (for 'once': the date)
        enabled       INTEGER NOT NULL DEFAULT 1,
        created_by    TEXT NOT NULL,
        created_at    INTEGER NOT NULL
    );

    -- One row per schedule, period and user applied: applying a period twice does nothing.
    CREATE TABLE schedule_run (
        schedule_id INTEGER NOT NULL REFERENCES schedule(id),
        period      TEXT NOT NULL,
        user_name   TEXT NOT NULL,
        ledger_id   INTEGER REFERENCES ledger(id),
        applied_at  INTEGER NOT NULL,
        PRIMARY KEY (schedule_id, period, user_name)
    ) WITHOUT ROWID;
    """

    /// Walk-up release. `held_job` is the current state of each job waiting on a `release` queue
    /// (mutable, like `reservation`); `job_event` is its append-only history (held, refused,
    /// released, printed, deleted, expired, moved), so a job that never cost anything still
    /// leaves a trace. A grant is one user's permission, for one job key, to print it once.
    private static let v2 = """
    CREATE TABLE held_job (
        job_key      TEXT PRIMARY KEY,
        job_id       INTEGER NOT NULL,
        queue        TEXT NOT NULL,
        owner        TEXT NOT NULL,
        title        TEXT NOT NULL DEFAULT '',
        page_sides   INTEGER NOT NULL CHECK (page_sides >= 0),
        sheets       INTEGER NOT NULL CHECK (sheets >= 0),
        copies       INTEGER NOT NULL CHECK (copies >= 1),
        colour_pages INTEGER NOT NULL CHECK (colour_pages >= 0),
        price        INTEGER NOT NULL CHECK (price >= 0),      -- minor units, the queue card's quote
        rates_card   TEXT NOT NULL,
        state        TEXT NOT NULL CHECK (state IN ('held', 'released', 'printed', 'deleted', 'expired')),
        message      TEXT NOT NULL DEFAULT '',                 -- why it waits (the last refusal)
        held_at      INTEGER NOT NULL,                         -- unix ms, first held
        expires_at   INTEGER NOT NULL,                         -- unix ms, cancelled after this
        updated_at   INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX held_job_owner ON held_job(owner, state);
    CREATE INDEX held_job_expiry ON held_job(expires_at) WHERE state = 'held';

    CREATE TABLE release_grant (
        job_key    TEXT PRIMARY KEY,
        user_name  TEXT NOT NULL,
        account    TEXT,                                       -- name or code chosen; NULL: the user's chain
        granted_at INTEGER NOT NULL,
        granted_by TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE job_event (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        at        INTEGER NOT NULL,
        job_key   TEXT NOT NULL,
        user_name TEXT NOT NULL,
        kind      TEXT NOT NULL CHECK (kind IN ('held', 'refused', 'released', 'printed', 'failed', 'deleted', 'expired', 'moved')),
        detail    TEXT NOT NULL DEFAULT '',
        actor     TEXT NOT NULL
    );
    CREATE INDEX job_event_job ON job_event(job_key);
    CREATE INDEX job_event_user ON job_event(user_name, at);
    CREATE TRIGGER job_event_no_update BEFORE UPDATE ON job_event
    BEGIN SELECT RAISE(ABORT, 'job events are append-only: rows cannot be changed'); END;
    CREATE TRIGGER job_event_no_delete BEFORE DELETE ON job_event
    BEGIN SELECT RAISE(ABORT, 'job events are append-only: rows cannot be deleted'); END;

    -- Card number and PIN sign-in at a release station. The PIN is a crypt(3) hash (yescrypt).
    CREATE TABLE credential (
        user_name       TEXT PRIMARY KEY,
        card_number     TEXT UNIQUE,
        pin_hash        TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until    INTEGER,                               -- unix ms
        updated_at      INTEGER NOT NULL
    ) WITHOUT ROWID;
    """
}
