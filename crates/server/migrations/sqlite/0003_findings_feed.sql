-- The cross-team feed: one row per review with a published finding, written in the same
-- transaction as the review, so the feed never shows what the review no longer holds.
--
-- `pos` orders the feed, newest first: the publishing time in microseconds since the epoch, times
-- 1024, plus a slot counting findings published in the same microsecond. It is also the row's
-- id in the full-text index, whose own rowid order is then the feed's order, and date filters
-- are ranges of it. `org_doc` is the finding as the whole organisation may read it
-- (`Finding::for_organisation`), `full_doc` the whole finding, for the review's own members;
-- `doc_hash` (SHA-256 of `full_doc`) lets an unchanged finding skip its rewrite. `services`,
-- `tags` and `kinds` (of the factors the organisation may read) copy JSON arrays out of the
-- documents.
CREATE TABLE findings (
    review_id    TEXT    NOT NULL PRIMARY KEY REFERENCES reviews (id) ON DELETE CASCADE,
    pos          INTEGER NOT NULL UNIQUE,
    team         TEXT    NOT NULL,
    services     TEXT    NOT NULL CHECK (json_valid(services)),
    tags         TEXT    NOT NULL CHECK (json_valid(tags)),
    kinds        TEXT    NOT NULL CHECK (json_valid(kinds)),
    severity     TEXT    NOT NULL,
    published_at TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    doc_hash     TEXT    NOT NULL,
    org_doc      TEXT    NOT NULL CHECK (json_valid(org_doc)),
    full_doc     TEXT    NOT NULL CHECK (json_valid(full_doc))
) STRICT;

-- The full-text index of the organisation's view only: indexing a team-only section would let
-- a search reveal what it says. Contentless (it keeps no copy of the text); rows are written by
-- the store beside each `findings` row (`rowid` = `pos`) and removed by the trigger below, so a
-- row deleted any way (a cascade too) leaves the index with it.
--
-- `body` is the text, as lowercase words separated by single spaces; `facets` the filters as
-- tokens (team, services, tags and kinds, each a letter and its lowercase value in hex, and
-- `all`). Token characters are letters, marks, numbers, other symbols and private-use
-- characters, so every character the store keeps in a word (Rust's `char::is_alphanumeric`) is
-- one, and no word splits into a phrase. Positions are not stored (`detail=column`): queries
-- are words and prefixes, never phrases. Prefixes of two to six letters are indexed for search
-- as you type: a longer one reads every word it starts, which costs about 3 ms per search word
-- at 100,000 findings (measured on this machine), and a shorter list of prefixes about
-- doubles the time of a search of two words.
CREATE VIRTUAL TABLE findings_fts USING fts5 (
    body,
    facets,
    content = '',
    contentless_delete = 1,
    detail = column,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* M* N* So Co'",
    prefix = '2 3 4 5 6'
);

CREATE TRIGGER findings_fts_delete AFTER DELETE ON findings BEGIN
    DELETE FROM findings_fts WHERE rowid = old.pos;
END;
