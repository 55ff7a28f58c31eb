//! The paths the middleware needs to recognise, in one place below every handler: the
//! access-key check, the rate limit and the connection cap read them, and the router mounts
//! the handlers on them. Nothing here imports anything.

/// Where the API is mounted.
pub const API_PREFIX: &str = "/api/v1";

/// The live event stream, under [`API_PREFIX`]. The access-key check reads it too: this is the
/// one route that may carry its credentials in the query, since a browser's `EventSource` sends
/// no headers.
pub const EVENTS: &str = "/reviews/{id}/events";

/// The feed's subscriptions, outside `/api`, as feed readers expect a feed's address.
pub const FEED_ATOM: &str = "/feed.atom";
pub const FEED_JSON: &str = "/feed.json";

/// The query parameter a feed reader may send the organisation's access key in; it is the
/// access middleware's, not a filter.
pub const ACCESS_KEY_PARAM: &str = "access_key";

/// Whether `path` is one of the subscriptions, which the access key closes like the API.
pub fn is_subscription(path: &str) -> bool {
    path == FEED_ATOM || path == FEED_JSON
}
