//! Rate limits per client address on the routes anyone may call without a review token:
//! creating a review, joining one, searching the feed (its API and subscriptions), and
//! offering a wrong organisation access key. Past a limit the answer is 429 with
//! `Retry-After`, before any handler or database work.
//!
//! The counting is [`governor`]'s (GCRA, a maintained crate): each limit is a burst a person
//! never reaches by hand, refilled at a steady rate. The state is **per process** and in
//! memory: it starts empty on restart, and several processes behind one balancer each count
//! on their own. The client address is the peer of the TCP connection: behind a reverse proxy
//! that is the proxy, so every client shares its limits (generous for that reason).
//!
//! A client that used up its wrong-key allowance is refused every key until it may try
//! again, right or wrong, so guessing cannot go on at the refill rate.

use crate::error::AppError;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Above this many addresses a limiter forgets those back at a full allowance.
const FORGET_ABOVE: usize = 10_000;

/// One limit: `burst` requests at once, refilled one per `every`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    pub every: Duration,
}

impl Limit {
    fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.every)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}

/// What is limited, and how much. See `docs/limits.md` for why these figures.
#[derive(Clone, Copy, Debug)]
pub struct RateQuotas {
    /// `POST /api/v1/reviews`.
    pub create: Limit,
    /// `POST /api/v1/reviews/{id}/participants`.
    pub join: Limit,
    /// The feed's search, statistics and subscriptions.
    pub feed: Limit,
    /// Requests with a missing or wrong organisation access key.
    pub wrong_key: Limit,
}

impl Default for RateQuotas {
    fn default() -> Self {
        Self {
            create: Limit {
                burst: 30,
                every: Duration::from_secs(2),
            },
            join: Limit {
                burst: 60,
                every: Duration::from_secs(1),
            },
            feed: Limit {
                burst: 120,
                every: Duration::from_millis(250),
            },
            wrong_key: Limit {
                burst: 10,
                every: Duration::from_secs(6),
            },
        }
    }
}

/// The limiters, shared by every request of this process. Cloning is cheap.
#[derive(Clone, Debug)]
pub struct RateLimits(Arc<Limiters>);

#[derive(Debug)]
struct Limiters {
    create: DefaultKeyedRateLimiter<IpAddr>,
    join: DefaultKeyedRateLimiter<IpAddr>,
    feed: DefaultKeyedRateLimiter<IpAddr>,
    wrong_key: DefaultKeyedRateLimiter<IpAddr>,
    /// Addresses refused every key until the instant given.
    key_barred: Mutex<HashMap<IpAddr, Instant>>,
}

impl RateLimits {
    pub fn new(quotas: RateQuotas) -> Self {
        Self(Arc::new(Limiters {
            create: DefaultKeyedRateLimiter::keyed(quotas.create.quota()),
            join: DefaultKeyedRateLimiter::keyed(quotas.join.quota()),
            feed: DefaultKeyedRateLimiter::keyed(quotas.feed.quota()),
            wrong_key: DefaultKeyedRateLimiter::keyed(quotas.wrong_key.quota()),
            key_barred: Mutex::default(),
        }))
    }

    /// `Err(retry_after)` if `client` must wait before offering any access key.
    pub fn key_barred(&self, client: IpAddr) -> Result<(), Duration> {
        let barred = self
            .0
            .key_barred
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match barred.get(&client) {
            Some(until) if *until > Instant::now() => Err(*until - Instant::now()),
            _ => Ok(()),
        }
    }

    /// Counts a wrong key from `client`; `Err(retry_after)` once its allowance is used up.
    pub fn wrong_key(&self, client: IpAddr) -> Result<(), Duration> {
        let wait = check(&self.0.wrong_key, client);
        if let Err(wait) = wait {
            let mut barred = self
                .0
                .key_barred
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            if barred.len() > FORGET_ABOVE {
                barred.retain(|_, until| *until > now);
            }
            barred.insert(client, now + wait);
        }
        wait
    }
}

/// One request counted against `limiter`; `Err(wait)` when over.
fn check(limiter: &DefaultKeyedRateLimiter<IpAddr>, client: IpAddr) -> Result<(), Duration> {
    if limiter.len() > FORGET_ABOVE {
        limiter.retain_recent();
    }
    limiter
        .check_key(&client)
        .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
}

/// The client's address: the connection's peer. Requests that did not come through a socket
/// (the tests' `oneshot`) all count as one unspecified client.
pub fn client(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| {
            addr.ip()
        })
}

/// The 429 for a wait of `wait`, rounded up to whole seconds.
pub fn too_many(wait: Duration, message: &str) -> AppError {
    AppError::TooManyRequests {
        retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        message: message.to_owned(),
    }
}

/// Middleware: counts the unauthenticated routes against their limits. With no limits set
/// (`AppState::new` alone, as the tests use) it does nothing.
pub async fn limit(
    State(limits): State<Option<RateLimits>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(limits) = limits else {
        return next.run(request).await;
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let path = request.uri().path();
    let api = route
        .as_deref()
        .and_then(|r| r.strip_prefix(crate::routes::API_PREFIX));
    let post = request.method() == Method::POST;
    let (limiter, what) = match api {
        Some("/reviews") if post => (
            &limits.0.create,
            "Too many reviews created from this address.",
        ),
        Some("/reviews/{id}/participants") if post => {
            (&limits.0.join, "Too many joins from this address.")
        }
        Some("/feed" | "/feed/stats") => {
            (&limits.0.feed, "Too many feed searches from this address.")
        }
        // The open-actions list reads the same published findings, without a token.
        Some("/actions") => (&limits.0.feed, "Too many action lists from this address."),
        Some("/feed/{id}/related") => (&limits.0.feed, "Too many feed searches from this address."),
        None if crate::routes::is_subscription(path) => {
            (&limits.0.feed, "Too many feed requests from this address.")
        }
        _ => return next.run(request).await,
    };
    match check(limiter, client(&request)) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many(wait, what).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_a_wait_per_address() {
        let quotas = RateQuotas {
            wrong_key: Limit {
                burst: 3,
                every: Duration::from_secs(60),
            },
            ..RateQuotas::default()
        };
        let limits = RateLimits::new(quotas);
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        for _ in 0..3 {
            assert_eq!(limits.wrong_key(a), Ok(()));
        }
        let wait = limits.wrong_key(a).unwrap_err();
        assert!(wait > Duration::from_secs(50), "{wait:?}");
        assert!(limits.key_barred(a).is_err(), "barred from every key");
        assert_eq!(limits.key_barred(b), Ok(()), "another address is not");
        assert_eq!(limits.wrong_key(b), Ok(()));
        assert!(matches!(
            too_many(Duration::from_millis(1500), "x"),
            AppError::TooManyRequests { retry_after: 2, .. }
        ));
    }
}
