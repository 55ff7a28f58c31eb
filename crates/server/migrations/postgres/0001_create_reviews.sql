-- One row per review. `doc` is the whole `mosaic_domain::Review` as JSON and is the source of
-- truth; the other columns copy fields out of it so that lookups and ordering need no JSON.
--
-- `id` uses the "C" collation so ids compare byte by byte, as they do in SQLite; the database's
-- default (often a locale) would order `a-b` and `a_b` differently on the two backends.
CREATE TABLE reviews (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    version    BIGINT      NOT NULL CHECK (version >= 1),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    doc        JSONB       NOT NULL
);

-- The review list is read newest first, with the id breaking ties.
CREATE INDEX reviews_newest_first ON reviews (created_at DESC, id DESC);
