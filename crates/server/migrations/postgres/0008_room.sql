-- The live room of a group session (issue 17), kept in the database so that every server
-- process on one database sees the same room.
--
-- One row per open event stream: written when it opens, its `last_seen` refreshed by the
-- stream's heartbeat, deleted when it closes; a row older than the presence timeout counts as
-- gone (a process that died leaves rows that expire). `participant_id` is NULL for a
-- facilitator's stream.
CREATE TABLE room_presence (
    review_id      TEXT COLLATE "C" NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    stream_id      TEXT COLLATE "C" NOT NULL,
    participant_id TEXT COLLATE "C",
    last_seen      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (review_id, stream_id)
);

-- A participant's raised hand, until they or the facilitator lower it.
CREATE TABLE room_hands (
    review_id      TEXT COLLATE "C" NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    participant_id TEXT COLLATE "C" NOT NULL,
    reason         TEXT NOT NULL,
    raised_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (review_id, participant_id)
);

-- The facilitator's room setting and the timebox (`mosaic_domain::room::Timebox` as JSON).
CREATE TABLE rooms (
    review_id                TEXT COLLATE "C" NOT NULL PRIMARY KEY
                             REFERENCES reviews (id) ON DELETE CASCADE,
    participants_see_writing BOOLEAN NOT NULL DEFAULT TRUE,
    timebox                  JSONB
);
