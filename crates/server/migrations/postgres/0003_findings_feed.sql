-- The cross-team feed: one row per review with a published finding, written in the same
-- transaction as the review, so the feed never shows what the review no longer holds.
--
-- `pos` orders the feed, newest first: the publishing time in microseconds since the epoch, times
-- 1024, plus a slot counting findings published in the same microsecond (the same on SQLite,
-- where it is also the full-text index's rowid); date filters are ranges of it. `org_doc` is the
-- finding as the whole organisation may read it (`Finding::for_organisation`), `full_doc` the
-- whole finding, for the review's own members; `doc_hash` (SHA-256 of the finding's JSON) lets an
-- unchanged finding skip its rewrite. `services`, `tags` and `kinds` (of the factors the
-- organisation may read) copy arrays out of the documents.
--
-- The search lives in a narrow table of its own, `findings_search`, as SQLite's full-text index
-- does: a count of matches reads only it, never the documents. It indexes the organisation's view
-- only (indexing a team-only section would let a search reveal what it says): the store sends the
-- text as lowercase words separated by single spaces, and `strip(to_tsvector('simple', …))` is
-- computed in the statement that writes the row (no positions: queries are words and prefixes,
-- never phrases). `facets` holds the filters as tokens (team, services, tags and kinds, each a
-- letter and its lowercase value in hex), so every filter is one GIN lookup. A row goes with its
-- finding's (`ON DELETE CASCADE`).
CREATE TABLE findings (
    review_id    TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES reviews (id) ON DELETE CASCADE,
    pos          BIGINT      NOT NULL UNIQUE,
    team         TEXT        NOT NULL,
    services     JSONB       NOT NULL,
    tags         JSONB       NOT NULL,
    kinds        JSONB       NOT NULL,
    severity     TEXT        NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    doc_hash     TEXT        NOT NULL,
    org_doc      JSONB       NOT NULL,
    full_doc     JSONB       NOT NULL
);

CREATE TABLE findings_search (
    pos    BIGINT   NOT NULL PRIMARY KEY REFERENCES findings (pos) ON DELETE CASCADE,
    facets TEXT[]   NOT NULL,
    search TSVECTOR NOT NULL
);

CREATE INDEX findings_search_text ON findings_search USING GIN (search);
CREATE INDEX findings_search_facets ON findings_search USING GIN (facets);
