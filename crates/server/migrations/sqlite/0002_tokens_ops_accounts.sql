-- Who may do what with a review. Only the SHA-256 of a token is kept (lowercase hex), so a copy
-- of the database grants nothing. `kind` is what the token is: the facilitator's, a
-- participant's (then `participant_id` says whose), or the invite that lets people join.
CREATE TABLE tokens (
    token_hash     TEXT NOT NULL PRIMARY KEY,
    review_id      TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    participant_id TEXT,
    kind           TEXT NOT NULL CHECK (kind IN ('facilitator', 'participant', 'invite')),
    created_at     TEXT NOT NULL,
    revoked_at     TEXT,
    CHECK ((kind = 'participant') = (participant_id IS NOT NULL))
) STRICT;

CREATE INDEX tokens_by_participant ON tokens (review_id, participant_id);

-- The op ids applied to each review, so a retried op is applied once.
CREATE TABLE ops (
    review_id  TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    op_id      TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (review_id, op_id)
) STRICT;

-- One row per participant's account. `doc` is the whole `mosaic_domain::Account`; `version`
-- counts the copies stored (the basis of `If-Match`) and equals the document's; `submitted_at`
-- copies the seal out of it so the sealed accounts are found without reading JSON.
CREATE TABLE accounts (
    review_id      TEXT    NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    participant_id TEXT    NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    doc            TEXT    NOT NULL CHECK (json_valid(doc)),
    updated_at     TEXT    NOT NULL,
    submitted_at   TEXT,
    PRIMARY KEY (review_id, participant_id)
) STRICT;
