//! The webhooks' side of the store: the operator's endpoints, the outbox of deliveries, and
//! the one-a-day record of overdue notices.
//!
//! An event's deliveries are written in the same transaction as the change that causes it
//! ([`WebhookSync`], called by `commit_review` before the feed row is rewritten, so the stored
//! finding is still the one before the change): a change that commits has its deliveries, one
//! that rolls back has none, and a crash after the commit loses nothing, since the worker reads
//! the outbox, not memory. Every delivery carries only the organisation's view of a finding.

use super::{Backend, Store, StoreError, order_key};
use chrono::{DateTime, NaiveDate, Utc};
use mosaic_domain::Finding;
use mosaic_domain::backlog::{OpenAction, filter_value};
use serde::Serialize;
use sqlx::{PgConnection, SqliteConnection};

/// The events a webhook receives.
pub const FINDING_PUBLISHED: &str = "finding.published";
pub const FINDING_UPDATED: &str = "finding.updated";
pub const ACTION_OVERDUE: &str = "action.overdue";

/// One registered endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub secret: String,
    /// Only findings of this team (lowercase), if set.
    pub team: Option<String>,
    /// Only findings touching this service (lowercase), if set.
    pub service: Option<String>,
    /// `json` or `slack`.
    pub format: String,
    pub created_at: String,
}

impl Webhook {
    /// Whether this endpoint wants events about findings of `team` touching `services`.
    fn wants(&self, team: &str, services: &[String]) -> bool {
        self.team.as_deref().is_none_or(|t| t == filter_value(team))
            && self
                .service
                .as_deref()
                .is_none_or(|s| services.iter().any(|x| filter_value(x) == s))
    }
}

/// A delivery as `webhook deliveries` lists it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryRecord {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    pub created_at: String,
    pub state: String,
    #[sqlx(try_from = "i32")]
    pub attempts: i64,
    pub next_attempt_at: String,
    /// The HTTP status of the last answer, when there was one.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
}

/// A delivery the worker is to send now, with its endpoint.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingDelivery {
    pub id: String,
    pub event: String,
    /// The event's content as JSON (see [`EventData`]).
    pub data: String,
    pub created_at: String,
    #[sqlx(try_from = "i32")]
    pub attempts: i64,
    pub url: String,
    pub secret: String,
    pub format: String,
    /// When it was due, as read: the claim is conditional on it (see
    /// [`Store::claim_delivery`]).
    pub next_attempt_at: String,
}

/// What one attempt came to.
#[derive(Clone, Debug)]
pub enum Attempt {
    Delivered {
        status: u16,
        at: DateTime<Utc>,
    },
    /// Tried again at `retry_at`; or, with `None`, given up.
    Failed {
        status: Option<u16>,
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

/// An event's content, stored in the outbox: the organisation's view only.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventData {
    Finding(Finding),
    Action(OpenAction),
}

/// A new delivery id: 128 random bits, hex.
fn delivery_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).expect("the OS random source is available");
    hex::encode(bytes)
}

/// Which event, if any, the change of a review's organisation view from `before` to `after` is.
fn finding_event(before: Option<&Finding>, after: &Finding) -> Option<&'static str> {
    match before {
        None => Some(FINDING_PUBLISHED),
        Some(b) if b.published_at != after.published_at => Some(FINDING_PUBLISHED),
        Some(b) if b != after => Some(FINDING_UPDATED),
        Some(_) => None,
    }
}

/// Writing an event's deliveries inside the transaction of the change that causes it. One
/// implementation per backend's connection, like the feed's.
pub(super) trait WebhookSync {
    /// For a review whose organisation view is now `after` (`None`: no published finding):
    /// compares it with the stored feed row and queues `finding.published` or
    /// `finding.updated` for every endpoint that wants it. Call before the feed row is
    /// rewritten.
    async fn queue_finding_event(
        &mut self,
        review_id: &str,
        after: Option<&Finding>,
        now: &str,
    ) -> Result<(), sqlx::Error>;
}

macro_rules! queue_finding_event {
    ($conn:expr, $review_id:expr, $after:expr, $now:expr, $pg:expr) => {
        async {
            let Some(after) = $after else {
                return Ok(());
            };
            let hooks = select_webhooks!($conn, $pg).await?;
            let wanted: Vec<&Webhook> = hooks
                .iter()
                .filter(|h| h.wants(&after.team, &after.services))
                .collect();
            if wanted.is_empty() {
                return Ok(());
            }
            let sql = if $pg {
                "SELECT org_doc::text FROM findings WHERE review_id = $1"
            } else {
                "SELECT org_doc FROM findings WHERE review_id = $1"
            };
            let stored: Option<String> = sqlx::query_scalar(sql)
                .bind($review_id)
                .fetch_optional(&mut *$conn)
                .await?;
            // A stored finding this build cannot read counts as none: the change is announced.
            let before: Option<Finding> = stored.and_then(|doc| serde_json::from_str(&doc).ok());
            let Some(event) = finding_event(before.as_ref(), after) else {
                return Ok(());
            };
            let data = serde_json::to_string(&EventData::Finding(after.clone()))
                .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
            for hook in wanted {
                insert_delivery!($conn, $pg, &hook.id, event, &data, $now).await?;
            }
            Ok(())
        }
    };
}

macro_rules! select_webhooks {
    ($conn:expr, $pg:expr) => {
        async {
            let rows: Vec<WebhookRow> = sqlx::query_as(
                "SELECT id, url, secret, team, service, format, created_at FROM webhooks \
                 ORDER BY created_at, id",
            )
            .fetch_all(&mut *$conn)
            .await?;
            Ok::<_, sqlx::Error>(
                rows.into_iter()
                    .map(WebhookRow::into_webhook)
                    .collect::<Vec<_>>(),
            )
        }
    };
}

macro_rules! insert_delivery {
    ($conn:expr, $pg:expr, $webhook_id:expr, $event:expr, $data:expr, $now:expr) => {
        async {
            let sql = if $pg {
                "INSERT INTO webhook_deliveries (id, webhook_id, event, data, created_at, state, \
                 attempts, next_attempt_at) VALUES ($1, $2, $3, $4::jsonb, $5, 'pending', 0, $5)"
            } else {
                "INSERT INTO webhook_deliveries (id, webhook_id, event, data, created_at, state, \
                 attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $5)"
            };
            sqlx::query(sql)
                .bind(delivery_id())
                .bind($webhook_id)
                .bind($event)
                .bind($data)
                .bind($now)
                .execute(&mut *$conn)
                .await
                .map(|_| ())
        }
    };
}

type WebhookRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
);

trait IntoWebhook {
    fn into_webhook(self) -> Webhook;
}

impl IntoWebhook for WebhookRow {
    fn into_webhook(self) -> Webhook {
        let (id, url, secret, team, service, format, created_at) = self;
        Webhook {
            id,
            url,
            secret,
            team,
            service,
            format,
            created_at,
        }
    }
}

impl WebhookSync for SqliteConnection {
    async fn queue_finding_event(
        &mut self,
        review_id: &str,
        after: Option<&Finding>,
        now: &str,
    ) -> Result<(), sqlx::Error> {
        queue_finding_event!(self, review_id, after, now, false).await
    }
}

impl WebhookSync for PgConnection {
    async fn queue_finding_event(
        &mut self,
        review_id: &str,
        after: Option<&Finding>,
        now: &str,
    ) -> Result<(), sqlx::Error> {
        queue_finding_event!(self, review_id, after, now, true).await
    }
}

impl Store {
    /// Registers an endpoint. The caller has checked the URL and the secret.
    pub async fn webhook_add(&self, hook: &Webhook) -> Result<(), StoreError> {
        on_backend!(self, |pool, _pg| {
            sqlx::query(
                "INSERT INTO webhooks (id, url, secret, team, service, format, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&hook.id)
            .bind(&hook.url)
            .bind(&hook.secret)
            .bind(&hook.team)
            .bind(&hook.service)
            .bind(&hook.format)
            .bind(&hook.created_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(StoreError::Database)?;
        Ok(())
    }

    /// Every endpoint, oldest first.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        on_backend!(self, |pool, pg| async {
            let mut conn = pool.acquire().await?;
            let _ = pg;
            select_webhooks!(conn, pg).await
        }
        .await)
        .map_err(StoreError::Database)
    }

    /// Removes endpoint `id` and its deliveries; whether it existed.
    pub async fn webhook_remove(&self, id: &str) -> Result<bool, StoreError> {
        let removed = on_backend!(self, |pool, _pg| {
            sqlx::query("DELETE FROM webhooks WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await
                .map(|done| done.rows_affected() > 0)
        })
        .map_err(StoreError::Database)?;
        Ok(removed)
    }

    /// The latest `limit` deliveries, newest first.
    pub async fn webhook_deliveries(&self, limit: i64) -> Result<Vec<DeliveryRecord>, StoreError> {
        on_backend!(self, |pool, _pg| {
            sqlx::query_as(
                "SELECT id, webhook_id, event, created_at, state, attempts, next_attempt_at, \
                 last_status, last_error, delivered_at FROM webhook_deliveries \
                 ORDER BY created_at DESC, id LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::Database)
    }

    /// Up to `limit` pending deliveries due at `now`, oldest first, with their endpoints.
    pub async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<PendingDelivery>, StoreError> {
        let now = order_key(now);
        on_backend!(self, |pool, pg| {
            let data = if pg { "d.data::text" } else { "d.data" };
            let sql = format!(
                "SELECT d.id, d.event, {data} AS data, d.created_at, d.attempts, w.url, w.secret, \
                 w.format, d.next_attempt_at FROM webhook_deliveries d \
                 JOIN webhooks w ON w.id = d.webhook_id \
                 WHERE d.state = 'pending' AND d.next_attempt_at <= $1 \
                 ORDER BY d.next_attempt_at, d.id LIMIT $2"
            );
            sqlx::query_as(&sql)
                .bind(&now)
                .bind(limit)
                .fetch_all(pool)
                .await
        })
        .map_err(StoreError::Database)
    }

    /// Takes `delivery` for one attempt: moves its due time to `lease_until` unless another
    /// process took it first (its due time is no longer what was read). True when taken. A
    /// process that dies mid-attempt leaves the delivery due again at `lease_until`, so
    /// several servers on one database send each delivery once, and a crash still resends.
    pub async fn claim_delivery(
        &self,
        delivery: &PendingDelivery,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let lease_until = order_key(lease_until);
        let claimed = on_backend!(self, |pool, _pg| {
            sqlx::query(
                "UPDATE webhook_deliveries SET next_attempt_at = $1 \
                 WHERE id = $2 AND state = 'pending' AND next_attempt_at = $3",
            )
            .bind(&lease_until)
            .bind(&delivery.id)
            .bind(&delivery.next_attempt_at)
            .execute(pool)
            .await
            .map(|done| done.rows_affected() == 1)
        })
        .map_err(StoreError::Database)?;
        Ok(claimed)
    }

    /// Records what an attempt at delivery `id` came to.
    pub async fn delivery_attempted(&self, id: &str, attempt: &Attempt) -> Result<(), StoreError> {
        let (state, status, error, next, delivered) = match attempt {
            Attempt::Delivered { status, at } => (
                "delivered",
                Some(i32::from(*status)),
                None,
                order_key(*at),
                Some(order_key(*at)),
            ),
            Attempt::Failed {
                status,
                error,
                retry_at,
            } => (
                if retry_at.is_some() {
                    "pending"
                } else {
                    "failed"
                },
                status.map(i32::from),
                Some(error.clone()),
                retry_at.map(order_key).unwrap_or_default(),
                None,
            ),
        };
        on_backend!(self, |pool, _pg| {
            sqlx::query(
                "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, \
                 last_status = $2, last_error = $3, \
                 next_attempt_at = CASE WHEN $4 = '' THEN next_attempt_at ELSE $4 END, \
                 delivered_at = $5 WHERE id = $6",
            )
            .bind(state)
            .bind(status)
            .bind(error)
            .bind(&next)
            .bind(delivered)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(StoreError::Database)?;
        Ok(())
    }

    /// Queues an `action.overdue` delivery for every open action due before `today` that has
    /// not had its notice today, for every endpoint that wants it; the notice and its deliveries
    /// are written together, so each action is announced once a day however often this runs.
    /// The number of actions announced.
    pub async fn queue_overdue(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let overdue = self.overdue_actions(today).await?;
        if overdue.is_empty() {
            return Ok(0);
        }
        let day = today.to_string();
        let now = order_key(now);
        let mut announced = 0;
        for item in overdue {
            let action_id = item
                .action
                .id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let data = serde_json::to_string(&EventData::Action(item.clone()))
                .map_err(StoreError::Encode)?;
            let done = on_backend!(self, |pool, pg| async {
                let mut tx = super::begin(pool, &self.metrics).await?;
                let fresh = sqlx::query(
                    "INSERT INTO overdue_notices (review_id, action_id, day) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(item.review_id.as_str())
                .bind(&action_id)
                .bind(&day)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                if fresh {
                    let hooks = select_webhooks!(tx, pg).await?;
                    for hook in hooks.iter().filter(|h| h.wants(&item.team, &item.services)) {
                        insert_delivery!(tx, pg, &hook.id, ACTION_OVERDUE, &data, &now).await?;
                    }
                }
                tx.commit().await?;
                Ok::<_, sqlx::Error>(fresh)
            }
            .await)
            .map_err(StoreError::Database)?;
            announced += u64::from(done);
        }
        Ok(announced)
    }
}
