//! The schema, as numbered steps per engine. A store is brought to the last step when it opens;
//! one written by a newer newswire (a step this binary does not know) is refused, never guessed at.
//!
//! Deliveries double as the work queue: a row is due when its state is pending, retrying or
//! in-progress and `next_attempt` has passed. A claim sets `next_attempt` to the end of its lease,
//! so an attempt whose worker died falls due again on its own. The partial index `deliveries_due_at`
//! holds only those rows, in the order they fall due: a claim reads the first few of it, whatever
//! the size of the history.

/// SQLite: step 1 is the schema from before versions were kept (files made then have its tables).
pub const SQLITE: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS translation_memory (
        backend     TEXT NOT NULL,
        source_lang TEXT NOT NULL,
        target_lang TEXT NOT NULL,
        source_hash BLOB NOT NULL,
        source      TEXT NOT NULL,
        target      TEXT NOT NULL,
        created_at  INTEGER NOT NULL DEFAULT (unixepoch()),
        PRIMARY KEY (backend, source_lang, target_lang, source_hash)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS deliveries (
        id           TEXT PRIMARY KEY,
        article      TEXT NOT NULL,
        version      TEXT NOT NULL,
        language     TEXT NOT NULL,
        partner      TEXT NOT NULL,
        channel      TEXT NOT NULL,
        state        TEXT NOT NULL,
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_error   TEXT,
        next_attempt INTEGER,
        copy         TEXT NOT NULL,
        recipients   TEXT NOT NULL DEFAULT '[]',
        created_at   INTEGER NOT NULL DEFAULT (unixepoch()),
        updated_at   INTEGER NOT NULL DEFAULT (unixepoch())
    );
    CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt);
    CREATE INDEX IF NOT EXISTS deliveries_partner ON deliveries (partner, created_at);
    CREATE INDEX IF NOT EXISTS deliveries_copy ON deliveries (article, language, partner, state);
    CREATE TABLE IF NOT EXISTS attempts (
        delivery_id TEXT NOT NULL REFERENCES deliveries (id),
        number      INTEGER NOT NULL,
        started_at  INTEGER NOT NULL DEFAULT (unixepoch()),
        finished_at INTEGER,
        outcome     TEXT,
        status      TEXT,
        error       TEXT,
        PRIMARY KEY (delivery_id, number)
    );
    CREATE TABLE IF NOT EXISTS article_versions (
        article      TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        version      INTEGER NOT NULL,
        first_seen   INTEGER NOT NULL DEFAULT (unixepoch()),
        PRIMARY KEY (article, content_hash)
    );
    CREATE TABLE IF NOT EXISTS killed_articles (
        article TEXT PRIMARY KEY,
        at      INTEGER NOT NULL DEFAULT (unixepoch())
    );
    CREATE TABLE IF NOT EXISTS partner_health (
        partner       TEXT PRIMARY KEY,
        failing_since INTEGER
    );
    CREATE TABLE IF NOT EXISTS disabled_partners (
        partner     TEXT PRIMARY KEY,
        since       INTEGER NOT NULL DEFAULT (unixepoch()),
        reason      TEXT NOT NULL
    );",
    "ALTER TABLE deliveries ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;
    DROP INDEX deliveries_due;
    CREATE INDEX deliveries_due_at ON deliveries (next_attempt)
        WHERE state IN ('pending', 'retrying', 'in-progress');
    CREATE TABLE pages (
        key         TEXT PRIMARY KEY,
        page        TEXT NOT NULL,
        fence       INTEGER NOT NULL DEFAULT 1,
        lease_until INTEGER NOT NULL,
        done_ms     INTEGER,
        created_at  INTEGER NOT NULL DEFAULT (unixepoch())
    );
    CREATE INDEX pages_lease ON pages (lease_until);",
    "CREATE TABLE reviews (
        id          TEXT PRIMARY KEY,
        article     TEXT NOT NULL,
        version     TEXT NOT NULL,
        language    TEXT NOT NULL,
        state       TEXT NOT NULL,
        flags       INTEGER NOT NULL,
        draft       TEXT NOT NULL,
        reviewer    TEXT,
        created_at  INTEGER NOT NULL DEFAULT (unixepoch()),
        reviewed_at INTEGER
    );
    CREATE INDEX reviews_state ON reviews (state, created_at);",
    "CREATE INDEX reviews_article ON reviews (article, created_at);
    CREATE TABLE runs (
        id          TEXT PRIMARY KEY,
        desk        TEXT NOT NULL,
        report      TEXT NOT NULL,
        started_at  INTEGER NOT NULL DEFAULT (unixepoch()),
        finished_at INTEGER
    );
    CREATE INDEX runs_started ON runs (started_at);",
    "CREATE TABLE callbacks (
        article    TEXT PRIMARY KEY,
        url        TEXT NOT NULL,
        due_at     INTEGER NOT NULL,
        attempts   INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        done_at    INTEGER,
        created_at INTEGER NOT NULL DEFAULT (unixepoch())
    );
    CREATE INDEX callbacks_due ON callbacks (due_at) WHERE done_at IS NULL;",
    "CREATE TABLE sessions (
        id         TEXT PRIMARY KEY,
        user_name  TEXT NOT NULL,
        desks      TEXT NOT NULL,
        csrf       TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL DEFAULT (unixepoch())
    );
    CREATE INDEX sessions_expiry ON sessions (expires_at);",
];

/// PostgreSQL: the same tables, Unix seconds from the server's clock.
pub const POSTGRES: &[&str] = &[
    "CREATE TABLE translation_memory (
        backend     text NOT NULL,
        source_lang text NOT NULL,
        target_lang text NOT NULL,
        source_hash bytea NOT NULL,
        source      text NOT NULL,
        target      text NOT NULL,
        created_at  bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint,
        PRIMARY KEY (backend, source_lang, target_lang, source_hash)
    );
    CREATE TABLE deliveries (
        id           text PRIMARY KEY,
        article      text NOT NULL,
        version      text NOT NULL,
        language     text NOT NULL,
        partner      text NOT NULL,
        channel      text NOT NULL,
        state        text NOT NULL,
        attempts     integer NOT NULL DEFAULT 0,
        last_error   text,
        next_attempt bigint,
        copy         text NOT NULL,
        recipients   text NOT NULL DEFAULT '[]',
        created_at   bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint,
        updated_at   bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint
    );
    CREATE INDEX deliveries_due ON deliveries (state, next_attempt);
    CREATE INDEX deliveries_partner ON deliveries (partner, created_at);
    CREATE INDEX deliveries_copy ON deliveries (article, language, partner, state);
    CREATE TABLE attempts (
        delivery_id text NOT NULL REFERENCES deliveries (id),
        number      integer NOT NULL,
        started_at  bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint,
        finished_at bigint,
        outcome     text,
        status      text,
        error       text,
        PRIMARY KEY (delivery_id, number)
    );
    CREATE TABLE article_versions (
        article      text NOT NULL,
        content_hash text NOT NULL,
        version      integer NOT NULL,
        first_seen   bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint,
        PRIMARY KEY (article, content_hash),
        UNIQUE (article, version)
    );
    CREATE TABLE killed_articles (
        article text PRIMARY KEY,
        at      bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint
    );
    CREATE TABLE partner_health (
        partner       text PRIMARY KEY,
        failing_since bigint
    );
    CREATE TABLE disabled_partners (
        partner text PRIMARY KEY,
        since   bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint,
        reason  text NOT NULL
    );",
    "ALTER TABLE deliveries ADD COLUMN fence bigint NOT NULL DEFAULT 0;
    DROP INDEX deliveries_due;
    CREATE INDEX deliveries_due_at ON deliveries (next_attempt)
        WHERE state IN ('pending', 'retrying', 'in-progress');
    CREATE TABLE pages (
        key         text PRIMARY KEY,
        page        text NOT NULL,
        fence       bigint NOT NULL DEFAULT 1,
        lease_until bigint NOT NULL,
        done_ms     bigint,
        created_at  bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint
    );
    CREATE INDEX pages_lease ON pages (lease_until);",
    "CREATE TABLE reviews (
        id          text PRIMARY KEY,
        article     text NOT NULL,
        version     text NOT NULL,
        language    text NOT NULL,
        state       text NOT NULL,
        flags       integer NOT NULL,
        draft       text NOT NULL,
        reviewer    text,
        created_at  bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint,
        reviewed_at bigint
    );
    CREATE INDEX reviews_state ON reviews (state, created_at);",
    "CREATE INDEX reviews_article ON reviews (article, created_at);
    CREATE TABLE runs (
        id          text PRIMARY KEY,
        desk        text NOT NULL,
        report      text NOT NULL,
        started_at  bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint,
        finished_at bigint
    );
    CREATE INDEX runs_started ON runs (started_at);",
    "CREATE TABLE callbacks (
        article    text PRIMARY KEY,
        url        text NOT NULL,
        due_at     bigint NOT NULL,
        attempts   integer NOT NULL DEFAULT 0,
        last_error text,
        done_at    bigint,
        created_at bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint
    );
    CREATE INDEX callbacks_due ON callbacks (due_at) WHERE done_at IS NULL;",
    "CREATE TABLE sessions (
        id         text PRIMARY KEY,
        user_name  text NOT NULL,
        desks      text NOT NULL,
        csrf       text NOT NULL,
        expires_at bigint NOT NULL,
        created_at bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint
    );
    CREATE INDEX sessions_expiry ON sessions (expires_at);",
];

/// Why a store at schema `found` cannot be used by a binary that knows `known` steps.
pub fn too_new(found: i64, known: usize) -> Option<String> {
    (found > known as i64).then(|| {
        format!(
            "the store is at schema version {found}, newer than this newswire knows ({known}): \
             it was written by a newer newswire; upgrade this one"
        )
    })
}

/// What a column holds, for copying rows between engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    Blob,
}

use Kind::{Blob, Int, Text};

/// A table `newswire state migrate` copies: its key columns (the order rows are read in) and
/// every column, the same on both engines.
pub struct Table {
    pub name: &'static str,
    pub key: &'static str,
    pub columns: &'static [(&'static str, Kind)],
}

/// The tables `newswire state migrate` copies, parents first.
pub const TABLES: &[Table] = &[
    Table {
        name: "translation_memory",
        key: "backend, source_lang, target_lang, source_hash",
        columns: &[
            ("backend", Text),
            ("source_lang", Text),
            ("target_lang", Text),
            ("source_hash", Blob),
            ("source", Text),
            ("target", Text),
            ("created_at", Int),
        ],
    },
    Table {
        name: "article_versions",
        key: "article, content_hash",
        columns: &[("article", Text), ("content_hash", Text), ("version", Int), ("first_seen", Int)],
    },
    Table { name: "killed_articles", key: "article", columns: &[("article", Text), ("at", Int)] },
    Table {
        name: "disabled_partners",
        key: "partner",
        columns: &[("partner", Text), ("since", Int), ("reason", Text)],
    },
    Table { name: "partner_health", key: "partner", columns: &[("partner", Text), ("failing_since", Int)] },
    Table {
        name: "deliveries",
        key: "id",
        columns: &[
            ("id", Text),
            ("article", Text),
            ("version", Text),
            ("language", Text),
            ("partner", Text),
            ("channel", Text),
            ("state", Text),
            ("attempts", Int),
            ("last_error", Text),
            ("next_attempt", Int),
            ("copy", Text),
            ("recipients", Text),
            ("fence", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "reviews",
        key: "id",
        columns: &[
            ("id", Text),
            ("article", Text),
            ("version", Text),
            ("language", Text),
            ("state", Text),
            ("flags", Int),
            ("draft", Text),
            ("reviewer", Text),
            ("created_at", Int),
            ("reviewed_at", Int),
        ],
    },
    Table {
        name: "runs",
        key: "id",
        columns: &[("id", Text), ("desk", Text), ("report", Text), ("started_at", Int), ("finished_at", Int)],
    },
    Table {
        name: "callbacks",
        key: "article",
        columns: &[
            ("article", Text),
            ("url", Text),
            ("due_at", Int),
            ("attempts", Int),
            ("last_error", Text),
            ("done_at", Int),
            ("created_at", Int),
        ],
    },
    Table {
        name: "attempts",
        key: "delivery_id, number",
        columns: &[
            ("delivery_id", Text),
            ("number", Int),
            ("started_at", Int),
            ("finished_at", Int),
            ("outcome", Text),
            ("status", Text),
            ("error", Text),
        ],
    },
];

/// A table `newswire state migrate` copies, by name.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|table| table.name == name)
}
