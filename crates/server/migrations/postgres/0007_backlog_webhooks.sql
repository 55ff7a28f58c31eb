-- The open actions of every published finding, one row per action of the organisation's view
-- (`Finding::for_organisation`), written in the same transaction as the review beside its feed
-- row, for `GET /api/v1/actions`. `sort_key` is the list's order (`backlog::sort_key`: the due
-- day or 9999-12-31, the review id, the action id; "C" collation, so byte order), so a page is
-- one range of an index; the filters are stored lowercase (`backlog::filter_value`). `doc` is
-- the `OpenAction` as sent.
CREATE TABLE finding_actions (
    review_id   TEXT COLLATE "C" NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    action_id   TEXT COLLATE "C" NOT NULL,
    sort_key    TEXT COLLATE "C" NOT NULL,
    is_open     BOOLEAN NOT NULL,
    team        TEXT    NOT NULL,
    owner       TEXT    NOT NULL,
    assignee    TEXT    NOT NULL,
    priority    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    due         TEXT,
    doc         JSONB   NOT NULL,
    PRIMARY KEY (review_id, action_id)
);

CREATE INDEX finding_actions_open ON finding_actions (sort_key) WHERE is_open;
CREATE INDEX finding_actions_open_by_team ON finding_actions (team, sort_key) WHERE is_open;

-- The findings published before this table existed: their actions, as the store would write
-- them.
INSERT INTO finding_actions (review_id, action_id, sort_key, is_open, team, owner, assignee,
                             priority, kind, due, doc)
SELECT f.review_id,
       a.value ->> 'id',
       coalesce(a.value ->> 'due', '9999-12-31') || ' ' || f.review_id || ' ' || (a.value ->> 'id'),
       (a.value ->> 'status') IN ('open', 'in_progress'),
       lower(trim(f.team)),
       lower(trim(coalesce(a.value ->> 'owner', ''))),
       lower(trim(coalesce(a.value ->> 'assignee', ''))),
       a.value ->> 'priority',
       a.value ->> 'kind',
       a.value ->> 'due',
       jsonb_build_object('review_id', f.review_id, 'review_title', f.org_doc ->> 'title',
                          'team', f.team, 'services', f.services, 'action', a.value)
FROM findings f, jsonb_array_elements(f.org_doc -> 'actions') a(value)
WHERE a.value ->> 'id' IS NOT NULL;

-- The operator's webhook endpoints (`mosaic-server webhook add`). The secret signs each
-- delivery (HMAC-SHA256), so it is kept as given. `team` and `service` (lowercase) narrow
-- which findings are sent; NULL sends all.
CREATE TABLE webhooks (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    team       TEXT,
    service    TEXT,
    format     TEXT NOT NULL CHECK (format IN ('json', 'slack')),
    created_at TEXT NOT NULL
);

-- The outbox: one row per event per endpoint, written in the same transaction as the change
-- that causes it, and sent by the background worker until the endpoint answers 2xx (at least
-- once: `id` is the delivery id the receiver deduplicates by). `data` is the event's content
-- in the organisation's view; the body is made from it at each attempt. Times are the store's
-- fixed-width UTC text (as on SQLite, so both share their SQL), which sorts as time.
CREATE TABLE webhook_deliveries (
    id              TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    webhook_id      TEXT COLLATE "C" NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT    NOT NULL,
    data            JSONB   NOT NULL,
    created_at      TEXT COLLATE "C" NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT COLLATE "C" NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    delivered_at    TEXT
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (created_at);

-- One `action.overdue` notice per action per day, however often the worker looks.
CREATE TABLE overdue_notices (
    review_id TEXT COLLATE "C" NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    action_id TEXT COLLATE "C" NOT NULL,
    day       TEXT NOT NULL,
    PRIMARY KEY (review_id, action_id, day)
);
