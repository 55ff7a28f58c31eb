-- The facilitator's rules for newcomers to a review. No row: joining is open, with no limit.
CREATE TABLE joining (
    review_id        TEXT    NOT NULL PRIMARY KEY REFERENCES reviews (id) ON DELETE CASCADE,
    is_open          INTEGER NOT NULL CHECK (is_open IN (0, 1)),
    max_participants INTEGER CHECK (max_participants >= 1)
) STRICT;

-- Personal invites: a link the facilitator sends to one person they added, which lets that
-- person take their own row. Only the SHA-256 of the link's token is kept; it is deleted when
-- the row is taken or the participant removed.
CREATE TABLE personal_invites (
    token_hash     TEXT NOT NULL PRIMARY KEY,
    review_id      TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;

CREATE INDEX personal_invites_by_participant ON personal_invites (review_id, participant_id);

-- One person, one live credential per row: two joins racing for the same row cannot both win.
CREATE UNIQUE INDEX one_live_token_per_participant ON tokens (review_id, participant_id)
    WHERE kind = 'participant' AND revoked_at IS NULL;
