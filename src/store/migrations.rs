//! The schema, as numbered steps per engine. A store is brought to the last step when it opens;
//! one written by a newer newswire (a step this binary does not know) is refused, never guessed at.
//!
//! Every row that belongs to a desk carries it, first in its key: desks may share one store, and
//! each sees only its own rows. Statements name the desk as `newswire_desk()`, which each
//! connection answers with the desk that opened it. The translation memory is the newsroom's
//! and the sessions the console's: they belong to no desk.
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
    // Step 7: every row that belongs to a desk carries it, in its key. The rows there were have
    // no desk ('') until a desk opens the store: the first one takes them (see ADOPT), since
    // until now a store had one desk.
    "CREATE TABLE deliveries_7 (
        desk         TEXT NOT NULL,
        id           TEXT NOT NULL,
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
        fence        INTEGER NOT NULL DEFAULT 0,
        created_at   INTEGER NOT NULL DEFAULT (unixepoch()),
        updated_at   INTEGER NOT NULL DEFAULT (unixepoch()),
        PRIMARY KEY (desk, id)
    );
    INSERT INTO deliveries_7 SELECT '', id, article, version, language, partner, channel, state,
        attempts, last_error, next_attempt, copy, recipients, fence, created_at, updated_at FROM deliveries;
    CREATE TABLE attempts_7 (
        desk        TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        number      INTEGER NOT NULL,
        started_at  INTEGER NOT NULL DEFAULT (unixepoch()),
        finished_at INTEGER,
        outcome     TEXT,
        status      TEXT,
        error       TEXT,
        PRIMARY KEY (desk, delivery_id, number),
        FOREIGN KEY (desk, delivery_id) REFERENCES deliveries_7 (desk, id) ON UPDATE CASCADE
    );
    INSERT INTO attempts_7 SELECT '', delivery_id, number, started_at, finished_at, outcome, status,
        error FROM attempts;
    CREATE TABLE article_versions_7 (
        desk         TEXT NOT NULL,
        article      TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        version      INTEGER NOT NULL,
        first_seen   INTEGER NOT NULL DEFAULT (unixepoch()),
        PRIMARY KEY (desk, article, content_hash)
    );
    INSERT INTO article_versions_7 SELECT '', article, content_hash, version, first_seen
        FROM article_versions;
    CREATE TABLE killed_articles_7 (
        desk    TEXT NOT NULL,
        article TEXT NOT NULL,
        at      INTEGER NOT NULL DEFAULT (unixepoch()),
        PRIMARY KEY (desk, article)
    );
    INSERT INTO killed_articles_7 SELECT '', article, at FROM killed_articles;
    CREATE TABLE partner_health_7 (
        desk          TEXT NOT NULL,
        partner       TEXT NOT NULL,
        failing_since INTEGER,
        PRIMARY KEY (desk, partner)
    );
    INSERT INTO partner_health_7 SELECT '', partner, failing_since FROM partner_health;
    CREATE TABLE disabled_partners_7 (
        desk    TEXT NOT NULL,
        partner TEXT NOT NULL,
        since   INTEGER NOT NULL DEFAULT (unixepoch()),
        reason  TEXT NOT NULL,
        PRIMARY KEY (desk, partner)
    );
    INSERT INTO disabled_partners_7 SELECT '', partner, since, reason FROM disabled_partners;
    CREATE TABLE pages_7 (
        desk        TEXT NOT NULL,
        key         TEXT NOT NULL,
        page        TEXT NOT NULL,
        fence       INTEGER NOT NULL DEFAULT 1,
        lease_until INTEGER NOT NULL,
        done_ms     INTEGER,
        created_at  INTEGER NOT NULL DEFAULT (unixepoch()),
        PRIMARY KEY (desk, key)
    );
    INSERT INTO pages_7 SELECT '', key, page, fence, lease_until, done_ms, created_at FROM pages;
    CREATE TABLE reviews_7 (
        desk        TEXT NOT NULL,
        id          TEXT NOT NULL,
        article     TEXT NOT NULL,
        version     TEXT NOT NULL,
        language    TEXT NOT NULL,
        state       TEXT NOT NULL,
        flags       INTEGER NOT NULL,
        draft       TEXT NOT NULL,
        reviewer    TEXT,
        created_at  INTEGER NOT NULL DEFAULT (unixepoch()),
        reviewed_at INTEGER,
        PRIMARY KEY (desk, id)
    );
    INSERT INTO reviews_7 SELECT '', id, article, version, language, state, flags, draft, reviewer,
        created_at, reviewed_at FROM reviews;
    CREATE TABLE callbacks_7 (
        desk       TEXT NOT NULL,
        article    TEXT NOT NULL,
        url        TEXT NOT NULL,
        due_at     INTEGER NOT NULL,
        attempts   INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        done_at    INTEGER,
        created_at INTEGER NOT NULL DEFAULT (unixepoch()),
        PRIMARY KEY (desk, article)
    );
    INSERT INTO callbacks_7 SELECT '', article, url, due_at, attempts, last_error, done_at, created_at
        FROM callbacks;
    DROP TABLE attempts; DROP TABLE deliveries; DROP TABLE article_versions; DROP TABLE killed_articles;
    DROP TABLE partner_health; DROP TABLE disabled_partners; DROP TABLE pages; DROP TABLE reviews;
    DROP TABLE callbacks;
    ALTER TABLE deliveries_7 RENAME TO deliveries; ALTER TABLE attempts_7 RENAME TO attempts;
    ALTER TABLE article_versions_7 RENAME TO article_versions;
    ALTER TABLE killed_articles_7 RENAME TO killed_articles;
    ALTER TABLE partner_health_7 RENAME TO partner_health;
    ALTER TABLE disabled_partners_7 RENAME TO disabled_partners;
    ALTER TABLE pages_7 RENAME TO pages; ALTER TABLE reviews_7 RENAME TO reviews;
    ALTER TABLE callbacks_7 RENAME TO callbacks;
    CREATE INDEX deliveries_partner ON deliveries (desk, partner, created_at);
    CREATE INDEX deliveries_copy ON deliveries (desk, article, language, partner, state);
    CREATE INDEX deliveries_due_at ON deliveries (desk, next_attempt)
        WHERE state IN ('pending', 'retrying', 'in-progress');
    CREATE INDEX pages_lease ON pages (desk, lease_until);
    CREATE INDEX reviews_state ON reviews (desk, state, created_at);
    CREATE INDEX reviews_article ON reviews (desk, article, created_at);
    CREATE INDEX callbacks_due ON callbacks (desk, due_at) WHERE done_at IS NULL;
    DROP INDEX runs_started;
    CREATE INDEX runs_started ON runs (desk, started_at);",
    // Step 8: a callback's claim is fenced like a delivery's.
    "ALTER TABLE callbacks ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;",
    // Step 9: what each backend (and, as `*`, the whole desk) spent, per day and per month.
    "CREATE TABLE spend (
        desk     TEXT NOT NULL,
        backend  TEXT NOT NULL,
        period   TEXT NOT NULL,
        currency TEXT NOT NULL,
        micros   INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (desk, backend, period, currency)
    );",
    // Step 10: what the staff were told, so that they are told once a day.
    "CREATE TABLE notices (desk TEXT NOT NULL, notice TEXT NOT NULL, day TEXT NOT NULL, PRIMARY KEY (desk, notice, day));",
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
    // Step 7, as for SQLite.
    "ALTER TABLE attempts DROP CONSTRAINT attempts_delivery_id_fkey;
    ALTER TABLE article_versions DROP CONSTRAINT article_versions_article_version_key;
    ALTER TABLE deliveries ADD COLUMN desk text NOT NULL DEFAULT '';
    ALTER TABLE attempts ADD COLUMN desk text NOT NULL DEFAULT '';
    ALTER TABLE article_versions ADD COLUMN desk text NOT NULL DEFAULT '';
    ALTER TABLE killed_articles ADD COLUMN desk text NOT NULL DEFAULT '';
    ALTER TABLE partner_health ADD COLUMN desk text NOT NULL DEFAULT '';
    ALTER TABLE disabled_partners ADD COLUMN desk text NOT NULL DEFAULT '';
    ALTER TABLE pages ADD COLUMN desk text NOT NULL DEFAULT '';
    ALTER TABLE reviews ADD COLUMN desk text NOT NULL DEFAULT '';
    ALTER TABLE callbacks ADD COLUMN desk text NOT NULL DEFAULT '';
    ALTER TABLE deliveries DROP CONSTRAINT deliveries_pkey, ADD PRIMARY KEY (desk, id);
    ALTER TABLE attempts DROP CONSTRAINT attempts_pkey, ADD PRIMARY KEY (desk, delivery_id, number),
        ADD FOREIGN KEY (desk, delivery_id) REFERENCES deliveries (desk, id) ON UPDATE CASCADE;
    ALTER TABLE article_versions DROP CONSTRAINT article_versions_pkey,
        ADD PRIMARY KEY (desk, article, content_hash), ADD UNIQUE (desk, article, version);
    ALTER TABLE killed_articles DROP CONSTRAINT killed_articles_pkey, ADD PRIMARY KEY (desk, article);
    ALTER TABLE partner_health DROP CONSTRAINT partner_health_pkey, ADD PRIMARY KEY (desk, partner);
    ALTER TABLE disabled_partners DROP CONSTRAINT disabled_partners_pkey, ADD PRIMARY KEY (desk, partner);
    ALTER TABLE pages DROP CONSTRAINT pages_pkey, ADD PRIMARY KEY (desk, key);
    ALTER TABLE reviews DROP CONSTRAINT reviews_pkey, ADD PRIMARY KEY (desk, id);
    ALTER TABLE callbacks DROP CONSTRAINT callbacks_pkey, ADD PRIMARY KEY (desk, article);
    DROP INDEX deliveries_partner; DROP INDEX deliveries_copy; DROP INDEX deliveries_due_at; DROP INDEX pages_lease;
    DROP INDEX reviews_state; DROP INDEX reviews_article; DROP INDEX callbacks_due; DROP INDEX runs_started;
    CREATE INDEX deliveries_partner ON deliveries (desk, partner, created_at);
    CREATE INDEX deliveries_copy ON deliveries (desk, article, language, partner, state);
    CREATE INDEX deliveries_due_at ON deliveries (desk, next_attempt)
        WHERE state IN ('pending', 'retrying', 'in-progress');
    CREATE INDEX pages_lease ON pages (desk, lease_until);
    CREATE INDEX reviews_state ON reviews (desk, state, created_at);
    CREATE INDEX reviews_article ON reviews (desk, article, created_at);
    CREATE INDEX callbacks_due ON callbacks (desk, due_at) WHERE done_at IS NULL;
    CREATE INDEX runs_started ON runs (desk, started_at);
    ALTER TABLE deliveries ALTER COLUMN desk DROP DEFAULT;
    ALTER TABLE attempts ALTER COLUMN desk DROP DEFAULT;
    ALTER TABLE article_versions ALTER COLUMN desk DROP DEFAULT;
    ALTER TABLE killed_articles ALTER COLUMN desk DROP DEFAULT;
    ALTER TABLE partner_health ALTER COLUMN desk DROP DEFAULT;
    ALTER TABLE disabled_partners ALTER COLUMN desk DROP DEFAULT;
    ALTER TABLE pages ALTER COLUMN desk DROP DEFAULT;
    ALTER TABLE reviews ALTER COLUMN desk DROP DEFAULT;
    ALTER TABLE callbacks ALTER COLUMN desk DROP DEFAULT;",
    "ALTER TABLE callbacks ADD COLUMN fence bigint NOT NULL DEFAULT 0;",
    "CREATE TABLE spend (
        desk     text NOT NULL,
        backend  text NOT NULL,
        period   text NOT NULL,
        currency text NOT NULL,
        micros   bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (desk, backend, period, currency)
    );",
    "CREATE TABLE notices (desk text NOT NULL, notice text NOT NULL, day text NOT NULL, PRIMARY KEY (desk, notice, day));",
];

/// Run by a desk each time it opens a store, on both engines: rows from before desks were kept
/// apart (desk '') become the desk's. Cheap when there are none: the desk leads every key.
pub const ADOPT: &str = "UPDATE deliveries SET desk = newswire_desk() WHERE desk = '';
    UPDATE attempts SET desk = newswire_desk() WHERE desk = '';
    UPDATE article_versions SET desk = newswire_desk() WHERE desk = '';
    UPDATE killed_articles SET desk = newswire_desk() WHERE desk = '';
    UPDATE partner_health SET desk = newswire_desk() WHERE desk = '';
    UPDATE disabled_partners SET desk = newswire_desk() WHERE desk = '';
    UPDATE pages SET desk = newswire_desk() WHERE desk = '';
    UPDATE reviews SET desk = newswire_desk() WHERE desk = '';
    UPDATE callbacks SET desk = newswire_desk() WHERE desk = '';";

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
        key: "desk, article, content_hash",
        columns: &[("desk", Text), ("article", Text), ("content_hash", Text), ("version", Int), ("first_seen", Int)],
    },
    Table { name: "killed_articles", key: "desk, article", columns: &[("desk", Text), ("article", Text), ("at", Int)] },
    Table {
        name: "disabled_partners",
        key: "desk, partner",
        columns: &[("desk", Text), ("partner", Text), ("since", Int), ("reason", Text)],
    },
    Table {
        name: "partner_health",
        key: "desk, partner",
        columns: &[("desk", Text), ("partner", Text), ("failing_since", Int)],
    },
    Table {
        name: "deliveries",
        key: "desk, id",
        columns: &[
            ("desk", Text),
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
        key: "desk, id",
        columns: &[
            ("desk", Text),
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
        key: "desk, article",
        columns: &[
            ("desk", Text),
            ("article", Text),
            ("url", Text),
            ("due_at", Int),
            ("attempts", Int),
            ("last_error", Text),
            ("done_at", Int),
            ("created_at", Int),
            ("fence", Int),
        ],
    },
    Table {
        name: "spend",
        key: "desk, backend, period, currency",
        columns: &[("desk", Text), ("backend", Text), ("period", Text), ("currency", Text), ("micros", Int)],
    },
    Table { name: "notices", key: "desk, notice, day", columns: &[("desk", Text), ("notice", Text), ("day", Text)] },
    Table {
        name: "attempts",
        key: "desk, delivery_id, number",
        columns: &[
            ("desk", Text),
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
