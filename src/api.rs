//! The Mosaic server's JSON API: the only place that builds URLs or speaks HTTP.

use gloo_net::http::{Request, Response};
use mosaic_domain::Review;
use mosaic_domain::wire::{CreateReview, ErrorBody, ReviewList};
use serde::de::DeserializeOwned;

/// Why a request did not give what was asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// The server could not be reached: offline, wrong URL, or the server is down.
    Unreachable(String),
    /// The server answered with an error status and said why.
    Refused { status: u16, body: ErrorBody },
    /// The server answered 2xx with a body this app cannot read.
    Malformed(String),
}

impl Error {
    /// True when the request may succeed later unchanged: worth keeping in the outbox.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Unreachable(_) => true,
            Error::Refused { status, .. } => *status >= 500 || *status == 429,
            Error::Malformed(_) => false,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Unreachable(why) => write!(f, "The server could not be reached ({why})"),
            Error::Refused { body, .. } => f.write_str(&body.message),
            Error::Malformed(why) => write!(f, "The server's answer could not be read ({why})"),
        }
    }
}

impl std::error::Error for Error {}

/// A client for one server.
#[derive(Clone, Debug)]
pub struct Api {
    base: String,
}

impl Api {
    /// `base` is the server's origin, such as `https://mosaic.example.org`.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub async fn list_reviews(&self) -> Result<Vec<Review>, Error> {
        let response = send(Request::get(&self.url("/reviews"))).await?;
        Ok(decode::<ReviewList>(response).await?.reviews)
    }

    /// `Ok(None)` when the server has no such review.
    pub async fn get_review(&self, id: &str) -> Result<Option<Review>, Error> {
        let response = Request::get(&self.url(&format!("/reviews/{id}")))
            .send()
            .await
            .map_err(|e| Error::Unreachable(e.to_string()))?;
        if response.status() == 404 {
            return Ok(None);
        }
        decode(checked(response).await?).await.map(Some)
    }

    pub async fn create_review(&self, request: &CreateReview) -> Result<Review, Error> {
        let builder = Request::post(&self.url("/reviews"))
            .json(request)
            .map_err(|e| Error::Malformed(e.to_string()))?;
        decode(checked(builder.send().await.map_err(unreachable)?).await?).await
    }
}

fn unreachable(e: gloo_net::Error) -> Error {
    Error::Unreachable(e.to_string())
}

async fn send(request: gloo_net::http::RequestBuilder) -> Result<Response, Error> {
    checked(request.send().await.map_err(unreachable)?).await
}

/// Passes a 2xx response through; turns any other into [`Error::Refused`] with the server's words.
async fn checked(response: Response) -> Result<Response, Error> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response
        .json::<ErrorBody>()
        .await
        .unwrap_or_else(|_| ErrorBody {
            error: "http_error".into(),
            message: format!("The server answered {status} {}", response.status_text()),
            fields: Vec::new(),
        });
    Err(Error::Refused { status, body })
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, Error> {
    response
        .json::<T>()
        .await
        .map_err(|e| Error::Malformed(e.to_string()))
}
