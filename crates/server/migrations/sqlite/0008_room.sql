-- The live room of a group session (issue 17), kept in the database so that every server
-- process on one database sees the same room.
--
-- One row per open event stream: written when it opens, its `last_seen` refreshed by the
-- stream's heartbeat, deleted when it closes; a row older than the presence timeout counts as
-- gone (a process that died leaves rows that expire). `participant_id` is NULL for a
-- facilitator's stream. Times are the store's order keys (UTC text that sorts as time).
CREATE TABLE room_presence (
    review_id      TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    stream_id      TEXT NOT NULL,
    participant_id TEXT,
    last_seen      TEXT NOT NULL,
    PRIMARY KEY (review_id, stream_id)
) STRICT;

-- A participant's raised hand, until they or the facilitator lower it.
CREATE TABLE room_hands (
    review_id      TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL,
    reason         TEXT NOT NULL,
    raised_at      TEXT NOT NULL,
    PRIMARY KEY (review_id, participant_id)
) STRICT;

-- The facilitator's room setting and the timebox (`mosaic_domain::room::Timebox` as JSON).
CREATE TABLE rooms (
    review_id                TEXT    NOT NULL PRIMARY KEY REFERENCES reviews (id) ON DELETE CASCADE,
    participants_see_writing INTEGER NOT NULL DEFAULT 1 CHECK (participants_see_writing IN (0, 1)),
    timebox                  TEXT    CHECK (timebox IS NULL OR json_valid(timebox))
) STRICT;
