-- Nothing changes on SQLite: its full-text index already keeps the filters beside the words and
-- answers prefixes from its own prefix index. The number is kept in step with PostgreSQL's
-- migrations, where 0009 reworks the search index.
SELECT 1;
