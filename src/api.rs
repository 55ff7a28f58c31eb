//! The Mosaic server's JSON API: the only place that builds URLs or speaks HTTP.

use gloo_net::http::{Request, RequestBuilder, Response};
use mosaic_domain::Review;
use mosaic_domain::wire::{CreateReview, CreatedReview, ErrorBody, JoinReview, Joined};
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

/// A client for one server, optionally holding the token of one review.
#[derive(Clone, Debug)]
pub struct Api {
    base: String,
    token: Option<String>,
}

impl Api {
    /// `base` is the server's origin, such as `https://mosaic.example.org`.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            token: None,
        }
    }

    /// The same server, with requests carrying `token` as their credential.
    pub fn with_token(&self, token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    fn authorized(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(token) => request.header("Authorization", &format!("Bearer {token}")),
            None => request,
        }
    }

    /// The review this client's token grants; `Ok(None)` when the server has no such review.
    pub async fn get_review(&self, id: &str) -> Result<Option<Review>, Error> {
        let request = self.authorized(Request::get(&self.url(&format!("/reviews/{id}"))));
        let response = request.send().await.map_err(unreachable)?;
        if response.status() == 404 {
            return Ok(None);
        }
        decode(checked(response).await?).await.map(Some)
    }

    /// Creates a review; the answer holds the facilitator's and the invite's tokens, once.
    pub async fn create_review(&self, request: &CreateReview) -> Result<CreatedReview, Error> {
        send_json(Request::post(&self.url("/reviews")), request).await
    }

    /// Joins a review with its invite token.
    pub async fn join_review(&self, id: &str, request: &JoinReview) -> Result<Joined, Error> {
        let url = self.url(&format!("/reviews/{id}/participants"));
        send_json(Request::post(&url), request).await
    }
}

fn unreachable(e: gloo_net::Error) -> Error {
    Error::Unreachable(e.to_string())
}

async fn send_json<B: serde::Serialize, T: DeserializeOwned>(
    builder: RequestBuilder,
    body: &B,
) -> Result<T, Error> {
    let request = builder
        .json(body)
        .map_err(|e| Error::Malformed(e.to_string()))?;
    decode(checked(request.send().await.map_err(unreachable)?).await?).await
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
