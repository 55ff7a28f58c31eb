-- The open actions of every published finding, one row per action of the organisation's view
-- (`Finding::for_organisation`), written in the same transaction as the review beside its feed
-- row, for `GET /api/v1/actions`. `sort_key` is the list's order (`backlog::sort_key`: the due
-- day or 9999-12-31, the review id, the action id), so a page is one range of an index; the
-- filters are stored lowercase (`backlog::filter_value`). `doc` is the `OpenAction` as sent.
CREATE TABLE finding_actions (
    review_id   TEXT    NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    action_id   TEXT    NOT NULL,
    sort_key    TEXT    NOT NULL,
    is_open     INTEGER NOT NULL CHECK (is_open IN (0, 1)),
    team        TEXT    NOT NULL,
    owner       TEXT    NOT NULL,
    assignee    TEXT    NOT NULL,
    priority    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    due         TEXT,
    doc         TEXT    NOT NULL CHECK (json_valid(doc)),
    PRIMARY KEY (review_id, action_id)
) STRICT;

CREATE INDEX finding_actions_open ON finding_actions (sort_key) WHERE is_open = 1;
CREATE INDEX finding_actions_open_by_team ON finding_actions (team, sort_key) WHERE is_open = 1;

-- The findings published before this table existed: their actions, as the store would write
-- them.
INSERT INTO finding_actions (review_id, action_id, sort_key, is_open, team, owner, assignee,
                             priority, kind, due, doc)
SELECT f.review_id,
       json_extract(a.value, '$.id'),
       coalesce(json_extract(a.value, '$.due'), '9999-12-31') || ' ' || f.review_id || ' '
           || json_extract(a.value, '$.id'),
       json_extract(a.value, '$.status') IN ('open', 'in_progress'),
       lower(trim(f.team)),
       lower(trim(coalesce(json_extract(a.value, '$.owner'), ''))),
       lower(trim(coalesce(json_extract(a.value, '$.assignee'), ''))),
       json_extract(a.value, '$.priority'),
       json_extract(a.value, '$.kind'),
       json_extract(a.value, '$.due'),
       json_object('review_id', f.review_id, 'review_title', json_extract(f.org_doc, '$.title'),
                   'team', f.team, 'services', json(f.services), 'action', json(a.value))
FROM findings f, json_each(f.org_doc, '$.actions') a
WHERE json_extract(a.value, '$.id') IS NOT NULL;

-- The operator's webhook endpoints (`mosaic-server webhook add`). The secret signs each
-- delivery (HMAC-SHA256), so it is kept as given. `team` and `service` (lowercase) narrow
-- which findings are sent; NULL sends all.
CREATE TABLE webhooks (
    id         TEXT NOT NULL PRIMARY KEY,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    team       TEXT,
    service    TEXT,
    format     TEXT NOT NULL CHECK (format IN ('json', 'slack')),
    created_at TEXT NOT NULL
) STRICT;

-- The outbox: one row per event per endpoint, written in the same transaction as the change
-- that causes it, and sent by the background worker until the endpoint answers 2xx (at least
-- once: `id` is the delivery id the receiver deduplicates by). `data` is the event's content
-- in the organisation's view; the body is made from it at each attempt. Times are the store's
-- fixed-width UTC text, which sorts as time.
CREATE TABLE webhook_deliveries (
    id              TEXT    NOT NULL PRIMARY KEY,
    webhook_id      TEXT    NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT    NOT NULL,
    data            TEXT    NOT NULL CHECK (json_valid(data)),
    created_at      TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT    NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    delivered_at    TEXT
) STRICT;

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (created_at);

-- One `action.overdue` notice per action per day, however often the worker looks.
CREATE TABLE overdue_notices (
    review_id TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    action_id TEXT NOT NULL,
    day       TEXT NOT NULL,
    PRIMARY KEY (review_id, action_id, day)
) STRICT;
