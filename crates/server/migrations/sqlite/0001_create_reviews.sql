-- One row per review. `doc` is the whole `mosaic_domain::Review` as JSON and is the source of
-- truth; the other columns copy fields out of it so that lookups and ordering need no JSON.
--
-- Times are UTC text in one fixed-width form (`2026-11-01T10:00:00.000000Z`), so comparing them
-- as text orders them exactly; a variable-width RFC 3339 form would not (`...00Z` > `...00.5Z`).
-- STRICT makes SQLite refuse a value of the wrong type instead of storing it anyway.
CREATE TABLE reviews (
    id         TEXT    NOT NULL PRIMARY KEY,
    version    INTEGER NOT NULL CHECK (version >= 1),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    doc        TEXT    NOT NULL CHECK (json_valid(doc))
) STRICT;

-- The review list is read newest first, with the id breaking ties.
CREATE INDEX reviews_newest_first ON reviews (created_at DESC, id DESC);
