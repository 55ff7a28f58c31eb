-- The facilitator's rules for newcomers to a review. No row: joining is open, with no limit.
CREATE TABLE joining (
    review_id        TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES reviews (id) ON DELETE CASCADE,
    is_open          BOOLEAN NOT NULL,
    max_participants BIGINT CHECK (max_participants >= 1)
);

-- Personal invites: a link the facilitator sends to one person they added, which lets that
-- person take their own row. Only the SHA-256 of the link's token is kept; it is deleted when
-- the row is taken or the participant removed.
CREATE TABLE personal_invites (
    token_hash     TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    review_id      TEXT COLLATE "C" NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    participant_id TEXT COLLATE "C" NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE INDEX personal_invites_by_participant ON personal_invites (review_id, participant_id);

-- One person, one live credential per row: two joins racing for the same row cannot both win.
CREATE UNIQUE INDEX one_live_token_per_participant ON tokens (review_id, participant_id)
    WHERE kind = 'participant' AND revoked_at IS NULL;
