//! `GET /api/v1/actions`: the open actions of every published finding, due date first, for
//! the app's `/actions` page (which adds the reviews its browser holds).
//!
//! Like the feed it needs no review token and shows only the organisation's view: an action
//! list kept to the team is not listed, and owners appear by role unless they opted in. It is
//! paged by the list's own order (the `next` cursor is the last action's sort key), which an
//! index keeps, so a page costs the same however long the list is.

use crate::error::AppError;
use crate::extract::Json;
use crate::store::Store;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use chrono::Utc;
use mosaic_domain::ValidationError;
use mosaic_domain::backlog::{ActionsPage, ActionsQuery};
use mosaic_domain::feed::FeedPage;

/// Actions per page when the query does not say.
const DEFAULT_LIMIT: u32 = 50;
/// The most actions a page may ask for.
const MAX_LIMIT: u32 = 100;
/// The longest cursor: a date and two ids.
const MAX_CURSOR_CHARS: usize = 300;

/// Extractor: the query parameters as an [`ActionsQuery`]. A parameter that is unknown,
/// repeated or not of its type is a 400 `invalid_query` naming it.
pub struct ActionsParams(pub ActionsQuery);

impl<S: Send + Sync> FromRequestParts<S> for ActionsParams {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        crate::feed::parse_params(parts.uri.query().unwrap_or_default()).map(Self)
    }
}

/// `GET /api/v1/actions`: `limit` open actions matching the filters, in list order; `next`
/// is the `cursor` of the following page. 422 for a `limit` out of range or a cursor that is
/// not one.
pub async fn actions_list(
    State(store): State<Store>,
    ActionsParams(query): ActionsParams,
) -> Result<Json<ActionsPage>, AppError> {
    let limit = match query.limit {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            return Err(AppError::Validation(vec![ValidationError::new(
                "limit",
                format!("must be from 1 to {MAX_LIMIT}"),
            )]));
        }
    };
    let after = query.cursor.as_deref();
    if after
        .is_some_and(|c| c.chars().count() > MAX_CURSOR_CHARS || c.chars().any(char::is_control))
    {
        return Err(AppError::InvalidQuery(ValidationError::new(
            "cursor",
            "is not a cursor this list gave out",
        )));
    }
    // One more than asked tells whether there is a next page.
    let mut items = store.open_actions(&query, after, limit + 1).await?;
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|a| a.sort_key())
    } else {
        None
    };
    Ok(Json(ActionsPage { items, next }))
}

/// How many related findings a finding's page lists.
const RELATED: u32 = 5;

/// `GET /api/v1/feed/{id}/related`: up to five other published findings that share a service
/// or a tag with this one, newest first, as the organisation reads them (a feed page with no
/// `next`). An unpublished or unknown review has none: an empty list, like a finding that
/// shares nothing.
pub async fn related_list(
    State(store): State<Store>,
    ids: crate::auth::PathIds,
) -> Result<Json<FeedPage>, AppError> {
    let Some(id) = ids.review else {
        return Err(AppError::NotFound(
            "A published finding for this review".to_owned(),
        ));
    };
    let today = Utc::now().date_naive();
    let entries: Vec<_> = store
        .related_findings(&id, RELATED)
        .await?
        .iter()
        .map(|f| crate::feed::entry(f, today))
        .collect();
    Ok(Json(FeedPage {
        total: entries.len() as u64,
        entries,
        next: None,
        more: false,
    }))
}
