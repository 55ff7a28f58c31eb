//! Live events between server processes on one PostgreSQL database: `LISTEN`/`NOTIFY`.
//!
//! Every [`Message`] the store gives its own [`Hub`] is also sent with `pg_notify` inside the
//! transaction that commits the change ([`NOTIFY`]), so PostgreSQL delivers it at commit, to
//! every process, and never for a write that rolled back. The payload is an [`Envelope`]: the
//! message (ids and versions only, never content) and the sending process's random `origin`,
//! so a process skips what it already applied itself.
//!
//! Each process keeps one listening connection, outside its pool (a pool's `close` would wait
//! for it forever). When that connection is lost the process reconnects with backoff
//! ([`FIRST_RETRY`] doubling to [`LAST_RETRY`]) and, once listening again, reads the stored
//! version of every review it has streams for and wakes them all ([`resync`]): whatever it
//! missed meanwhile, no browser stays stale. A connection can also die without a word (a
//! balancer or NAT forgetting it): each process sends a heartbeat every [`HEARTBEAT`], and a
//! listener that hears nothing, not even its own, for [`SILENCE`] reconnects.
//!
//! The channel is named after the database schema (`mosaic_<schema>`), so installations in
//! separate schemas of one database, such as the tests', do not hear each other. SQLite has one
//! process by nature and no bus.

use super::hub::{Hub, Message};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use std::sync::Arc;
use std::time::Duration;

/// Sends one payload; inside a transaction PostgreSQL holds it until commit and drops it on
/// rollback (and sends identical payloads of one transaction once).
pub(super) const NOTIFY: &str = "SELECT pg_notify($1, $2)";

/// The first wait before reconnecting a lost listener; doubles up to [`LAST_RETRY`].
const FIRST_RETRY: Duration = Duration::from_millis(100);
const LAST_RETRY: Duration = Duration::from_secs(10);
/// How often each process sends a heartbeat on the channel.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// A listener that hears nothing for this long takes its connection for dead.
const SILENCE: Duration = Duration::from_secs(35);

/// What travels as a `NOTIFY` payload: a message, or `None` for a heartbeat.
#[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    origin: u64,
    message: Option<Message>,
}

/// This process's end of the channel. Cloning is cheap; the listener and the heartbeat stop
/// with the last clone, or at [`Bus::stop`].
#[derive(Clone, Debug)]
pub(crate) struct Bus {
    channel: Arc<str>,
    origin: u64,
    tasks: Arc<Tasks>,
}

#[derive(Debug)]
struct Tasks(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Tasks {
    fn drop(&mut self) {
        self.0.iter().for_each(tokio::task::JoinHandle::abort);
    }
}

impl Bus {
    /// Starts listening for the other processes' messages on `pool`'s database and feeding
    /// them to `hub`. Returns once the first `LISTEN` holds, so nothing committed after this
    /// is missed; a failure here is the caller's (the server does not start).
    pub(super) async fn start(
        options: &PgConnectOptions,
        pool: &PgPool,
        hub: Hub,
    ) -> Result<Self, sqlx::Error> {
        let schema: Option<String> = sqlx::query_scalar("SELECT current_schema()::text")
            .fetch_one(pool)
            .await?;
        let channel: Arc<str> = channel_name(schema.as_deref().unwrap_or("public")).into();
        let mut bytes = [0; 8];
        getrandom::getrandom(&mut bytes).map_err(|e| sqlx::Error::Io(e.into()))?;
        let origin = u64::from_le_bytes(bytes);
        let options = options.clone().application_name("mosaic-listener");
        let listener = listen(&options, &channel).await?;
        let listening = tokio::spawn(run(Listening {
            listener,
            options,
            pool: pool.clone(),
            hub,
            channel: channel.clone(),
            origin,
        }));
        let heartbeat = tokio::spawn(heartbeat(pool.clone(), channel.clone(), origin));
        Ok(Self {
            channel,
            origin,
            tasks: Arc::new(Tasks(vec![listening, heartbeat])),
        })
    }

    /// The channel every process of this database listens on.
    pub(super) fn channel(&self) -> &str {
        &self.channel
    }

    /// `message` as this process sends it.
    pub(super) fn payload(&self, message: &Message) -> String {
        envelope(self.origin, Some(message.clone()))
    }

    /// Stops listening and sending heartbeats (at close).
    pub(super) fn stop(&self) {
        self.tasks.0.iter().for_each(tokio::task::JoinHandle::abort);
    }
}

/// `mosaic_<schema>`, cut to PostgreSQL's 63-byte identifiers.
fn channel_name(schema: &str) -> String {
    let mut name = format!("mosaic_{schema}");
    while name.len() > 63 {
        name.pop();
    }
    name
}

fn envelope(origin: u64, message: Option<Message>) -> String {
    // Plain data: serialising it cannot fail.
    serde_json::to_string(&Envelope { origin, message }).unwrap_or_default()
}

/// A fresh listening connection on `channel`. Its own one-connection pool is dropped with it,
/// which closes the connection: a suspect connection is never reused.
async fn listen(options: &PgConnectOptions, channel: &str) -> Result<PgListener, sqlx::Error> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .max_lifetime(None)
        .idle_timeout(None)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with(options.clone());
    let mut listener = PgListener::connect_with(&pool).await?;
    // A lost connection is this module's to replace (and then to resync), not sqlx's.
    listener.eager_reconnect(false);
    listener.ignore_pool_close_event(true);
    listener.listen(channel).await?;
    Ok(listener)
}

struct Listening {
    listener: PgListener,
    options: PgConnectOptions,
    pool: PgPool,
    hub: Hub,
    channel: Arc<str>,
    origin: u64,
}

/// Feeds the hub until aborted: listens, and on any loss reconnects with backoff and resyncs.
async fn run(mut state: Listening) {
    loop {
        // Listening now: whatever was committed before is in the database, read it again.
        resync(&state.pool, &state.hub).await;
        state.receive().await;
        let mut wait = FIRST_RETRY;
        state.listener = loop {
            tokio::time::sleep(wait).await;
            match listen(&state.options, &state.channel).await {
                Ok(listener) => break listener,
                Err(e) => {
                    tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64,
                        "cannot reconnect the live-event listener to PostgreSQL");
                    wait = (wait * 2).min(LAST_RETRY);
                }
            }
        };
        tracing::info!("live-event listener reconnected to PostgreSQL");
    }
}

impl Listening {
    /// Applies every message of the other processes until the connection is lost or falls
    /// silent (then the listener may be mid-read, and is only ever dropped).
    async fn receive(&mut self) {
        loop {
            let notification = match tokio::time::timeout(SILENCE, self.listener.try_recv()).await {
                Ok(Ok(Some(notification))) => notification,
                Ok(Ok(None)) => {
                    tracing::warn!("live-event listener lost its PostgreSQL connection");
                    return;
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "live-event listener failed");
                    return;
                }
                Err(_) => {
                    tracing::warn!("live-event listener heard nothing, not even heartbeats");
                    return;
                }
            };
            match serde_json::from_str::<Envelope>(notification.payload()) {
                Ok(Envelope {
                    origin,
                    message: Some(message),
                }) if origin != self.origin => self.hub.apply(&message),
                // Its own messages (applied when committed) and heartbeats.
                Ok(_) => {}
                // From another release, perhaps: its change is in the database, and the next
                // resync or version will carry it.
                Err(e) => tracing::warn!(error = %e, "unreadable live-event message ignored"),
            }
        }
    }
}

/// Wakes every stream of this process with its review's stored version, and every cache.
async fn resync(pool: &PgPool, hub: &Hub) {
    hub.apply(&Message::FeedChanged);
    let reviews = hub.listened_reviews();
    if reviews.is_empty() {
        return;
    }
    let rows: Result<Vec<(String, i64)>, _> =
        sqlx::query_as("SELECT id, version FROM reviews WHERE id = ANY($1)")
            .bind(&reviews)
            .fetch_all(pool)
            .await;
    match rows {
        Ok(rows) => {
            for (review, version) in rows {
                hub.apply(&Message::version(&review, version.try_into().unwrap_or(0)));
            }
            // A revocation or a room change may have been missed too: each stream checks its
            // grant once and reads its room again.
            for review in &reviews {
                hub.apply(&Message::revocation(review));
                hub.apply(&Message::room(review));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot read the versions the live-event listener may have missed")
        }
    }
}

/// Sends a heartbeat on `channel` every [`HEARTBEAT`], until aborted.
async fn heartbeat(pool: PgPool, channel: Arc<str>, origin: u64) {
    let payload = envelope(origin, None);
    let mut every = tokio::time::interval(HEARTBEAT);
    loop {
        every.tick().await;
        if let Err(e) = sqlx::query(NOTIFY)
            .bind(&*channel)
            .bind(&payload)
            .execute(&pool)
            .await
        {
            tracing::warn!(error = %e, "cannot send the live-event heartbeat");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_hold_ids_and_versions_only() {
        let check = |message: Option<Message>, json: &str| {
            let text = envelope(7, message.clone());
            assert_eq!(text, json);
            let back: Envelope = serde_json::from_str(&text).unwrap();
            assert_eq!(back, Envelope { origin: 7, message });
        };
        check(
            Some(Message::version("r-1", 3)),
            r#"{"origin":7,"message":{"kind":"version","review":"r-1","version":3}}"#,
        );
        check(
            Some(Message::revocation("r-1")),
            r#"{"origin":7,"message":{"kind":"revocation","review":"r-1"}}"#,
        );
        check(
            Some(Message::room("r-1")),
            r#"{"origin":7,"message":{"kind":"room","review":"r-1"}}"#,
        );
        check(
            Some(Message::FeedChanged),
            r#"{"origin":7,"message":{"kind":"feed_changed"}}"#,
        );
        check(None, r#"{"origin":7,"message":null}"#);
    }

    #[test]
    fn channels_are_named_after_the_schema_within_63_bytes() {
        assert_eq!(channel_name("public"), "mosaic_public");
        assert_eq!(channel_name(&"s".repeat(80)).len(), 63);
    }
}
