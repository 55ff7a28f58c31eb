-- Search that stays fast as findings grow (measurements in docs/deploy.md).
--
-- The filters become terms of the same full-text index as the words: each facet as `#` and the
-- facet (no word of text holds a `#`), so a search with filters is one GIN lookup in which the
-- index skips through the long lists with the short ones, instead of two lookups whose every
-- match is gathered and intersected. The separate index on `facets` goes.
UPDATE findings_search
SET search = search || array_to_tsvector(ARRAY(SELECT '#' || f FROM unnest(facets) f));

DROP INDEX findings_search_facets;

-- Every word the index holds, once. A search word is a prefix; asked as one, the index gathers
-- the match of every word it starts before intersecting (seconds for two common words at
-- 100,000 findings). The store looks the words it starts up here and asks the index for them
-- exactly. Words are added in the transaction that indexes them and never removed (a word no
-- finding holds any more matches nothing).
CREATE TABLE findings_words (
    word TEXT COLLATE "C" NOT NULL PRIMARY KEY
);

INSERT INTO findings_words (word)
SELECT word FROM ts_stat('SELECT search FROM findings_search') WHERE left(word, 1) <> '#';
