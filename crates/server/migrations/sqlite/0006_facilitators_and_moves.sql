-- Facilitator links: a one-time link a facilitator makes for a co-facilitator (or for
-- themselves on another device). Only the SHA-256 of the link's token is kept; the row is
-- marked used when it is used, and a link used or older than a day is refused.
CREATE TABLE facilitator_invites (
    token_hash TEXT NOT NULL PRIMARY KEY,
    review_id  TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    used_at    TEXT
) STRICT;

CREATE INDEX facilitator_invites_by_review ON facilitator_invites (review_id);

-- When a token was revoked because its holder moved their place to another browser (or the
-- facilitator gave them a new personal link): that browser is then told it was signed out,
-- rather than that its token is invalid.
ALTER TABLE tokens ADD COLUMN moved_at TEXT;
