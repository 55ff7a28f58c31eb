//! What a request to the server came to, as plain types: no browser type here, so the sync
//! engine ([`crate::sync_core`]) and its native tests use them, and [`crate::api`] (the HTTP
//! side) returns them.
//!
//! [`Error`] says whose failure it was: the network's ([`Error::Unreachable`]), the server's
//! refusal ([`Error::Refused`], with its stable code), an answer this app cannot read
//! ([`Error::Malformed`]), or this browser's own storage ([`Error::LocalStorage`]). What a
//! person reads is always a sentence with a next step ([`explain`]), never the API's words.

use mosaic_domain::wire::ErrorBody;

/// Why a request did not give what was asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// The server could not be reached: offline, wrong URL, or the server is down.
    Unreachable(String),
    /// The server answered with an error status and said why.
    Refused { status: u16, body: ErrorBody },
    /// The server answered 2xx with a body this app cannot read.
    Malformed(String),
    /// This browser's own storage (IndexedDB) failed while syncing: not the server's doing.
    LocalStorage(String),
}

impl Error {
    /// True when the request may succeed later unchanged: worth keeping in the outbox and
    /// retrying (with backoff). A 4xx never is, but 429 ("try again later").
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Unreachable(_) => true,
            Error::Refused { status, .. } => *status >= 500 || *status == 429,
            Error::Malformed(_) => false,
            // Storage that was full or busy may take the write later; syncing tries again.
            Error::LocalStorage(_) => true,
        }
    }

    /// True when the server refused this very change for good: sending it again unchanged
    /// would be refused again, so it is kept for the person (as a conflict) instead of being
    /// retried. Not a lost credential (401), a missing review (404) or a stale base (412),
    /// which are the review's state, not the change's.
    pub fn refuses_the_change(&self) -> bool {
        matches!(self, Error::Refused { status, .. } if refuses_the_change(*status))
    }
}

impl Error {
    /// The server's stable error code, when it refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Refused { body, .. } => Some(&body.error),
            _ => None,
        }
    }
}

/// What a person reads: never the API's own words for developers (headers, field names), but
/// what happened and what they can do about it.
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Unreachable(_) => f.write_str(
                "The server can't be reached just now. Your work is kept in this browser; \
                 it is sent when the connection is back.",
            ),
            Error::Refused { status, body } => f.write_str(&explain(*status, body)),
            Error::Malformed(_) => f.write_str(
                "The server's answer could not be read. Reload the page; if it happens again, \
                 the server may be running another version of Mosaic.",
            ),
            Error::LocalStorage(why) => write!(
                f,
                "This browser could not save your work ({why}). Keep this page open, free some \
                 disk space or allow this site to store data; saving is tried again."
            ),
        }
    }
}

/// The sentence, with a next step, for each error code the server sends.
pub fn explain(status: u16, body: &ErrorBody) -> String {
    let message = || sentence(body.message.trim_end_matches('.'));
    match body.error.as_str() {
        "removed" => "The facilitator removed you from this review, so you can no longer \
             change it. What you wrote is still in this browser."
            .into(),
        "signed_out" => "This browser was signed out of the review: your place in it \
             continues in another browser. What you wrote here is still in this browser."
            .into(),
        "facilitator_link_used" => "This facilitator link was used already or is more than \
             a day old. Ask a facilitator of the review for a new one."
            .into(),
        "unauthorized" => "This browser's access to the review no longer works. Open your \
             personal link again, or ask the facilitator for a new invite link."
            .into(),
        "forbidden" => "Only the facilitator can do this.".into(),
        "invite_unknown" => "This invite link does not work: it may be incomplete or \
             cancelled. Ask the facilitator to send it again."
            .into(),
        "invite_replaced" => "This invite link was replaced by a newer one. Ask the \
             facilitator for the current link."
            .into(),
        "joining_closed" => "The facilitator has closed joining for this review. If you \
             should take part, ask them to open it again."
            .into(),
        "review_full" => format!(
            "{}. If you should take part, ask the facilitator to allow more people.",
            message()
        ),
        "joining_over" => format!(
            "{}. Ask the facilitator if you have something to add.",
            message()
        ),
        "same_person" => format!(
            "{}. If that is you, open the review in the browser you joined from, or use \
             your personal link.",
            message().trim_end_matches(": one person takes part once")
        ),
        "already_joined" => "Someone has already joined as this person. If that was you, \
             open the review in the browser you joined from, or use your personal link."
            .into(),
        "access_key_required" => "This server needs your organisation's access key: ask for \
             a link that includes it, or enter it in Settings."
            .into(),
        "not_found" => "The server does not have this review (any more).".into(),
        "validation_failed" if !body.fields.is_empty() => {
            let fields: Vec<String> = body.fields.iter().map(ToString::to_string).collect();
            format!("Please check: {}.", fields.join("; "))
        }
        "refused" | "sealed" => format!("{}.", message()),
        "too_many_requests" => "The server is getting many requests from this address. Your \
             work is kept in this browser; try again in a minute."
            .into(),
        "unavailable" | "internal" => with_request_id(
            "The server had a problem. Your work is kept in this browser; try again in a \
             moment.",
            body,
        ),
        _ if status >= 500 => {
            with_request_id("The server had a problem. Try again in a moment.", body)
        }
        _ => "The server could not accept this from the app. Reload the page and try again.".into(),
    }
}

/// A server fault's sentence with the request id the server gave it, for its operators' logs.
fn with_request_id(sentence: &str, body: &ErrorBody) -> String {
    match &body.request_id {
        Some(id) => format!("{sentence} (If you report it, quote request id {id}.)"),
        None => sentence.to_owned(),
    }
}

impl std::error::Error for Error {}

/// Whether an error status refuses the change itself; see [`Error::refuses_the_change`].
pub fn refuses_the_change(status: u16) -> bool {
    (400..500).contains(&status) && !matches!(status, 401 | 404 | 408 | 412 | 429)
}

/// What the server answered to a conditional write.
#[derive(Clone, Debug, PartialEq)]
pub enum Written<T> {
    Done(T),
    /// 412: the document changed since the version the write was made against; here it is now.
    Stale(T),
}

/// The message with its first letter capitalised, to stand alone as a sentence.
///
/// The messages are Mosaic's own English words, so only an ASCII first letter is capitalised
/// (any other is kept as it is): `char::to_uppercase` would bring Unicode's case table (some
/// 17 KB) into the part every page downloads.
pub fn sentence(s: &str) -> String {
    let mut sentence = s.to_owned();
    if let Some(first) = sentence.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    sentence
}

#[cfg(test)]
mod error_tests {
    use super::*;

    fn refused(status: u16) -> Error {
        Error::Refused {
            status,
            body: ErrorBody {
                error: "x".into(),
                message: "x".into(),
                fields: Vec::new(),
                request_id: None,
            },
        }
    }

    #[test]
    fn a_sentence_starts_with_a_capital_letter() {
        assert_eq!(sentence("the title is empty"), "The title is empty");
        assert_eq!(sentence("Already one"), "Already one");
        assert_eq!(sentence(""), "");
        // Not an ASCII letter: kept as it is (whole, never cut inside a character).
        assert_eq!(sentence("été"), "été");
        assert_eq!(sentence("2 fields"), "2 fields");
    }

    #[test]
    fn only_5xx_429_and_unreachable_are_retried_and_other_4xx_refuse_the_change() {
        for (status, transient, refuses) in [
            (500, true, false),
            (503, true, false),
            (429, true, false),
            (422, false, true),
            (409, false, true),
            (413, false, true),
            (400, false, true),
            (401, false, false),
            (404, false, false),
        ] {
            let e = refused(status);
            assert_eq!(e.is_transient(), transient, "{status}");
            assert_eq!(e.refuses_the_change(), refuses, "{status}");
        }
        assert!(Error::Unreachable("offline".into()).is_transient());
    }

    #[test]
    fn a_storage_failure_is_this_browsers_and_is_tried_again() {
        let e = Error::LocalStorage("QuotaExceededError".into());
        assert!(e.is_transient());
        assert!(!e.refuses_the_change());
        let shown = e.to_string();
        assert!(
            shown.starts_with("This browser could not save your work"),
            "{shown}"
        );
        assert!(!shown.contains("server"), "{shown}");
    }

    #[test]
    fn server_faults_show_their_request_id() {
        let refused = |status, request_id: Option<&str>| Error::Refused {
            status,
            body: ErrorBody {
                error: "x".into(),
                message: "It failed.".into(),
                fields: Vec::new(),
                request_id: request_id.map(str::to_owned),
            },
        };
        let shown = refused(500, Some("0123456789abcdef")).to_string();
        assert_eq!(
            shown,
            "The server had a problem. Try again in a moment. \
             (If you report it, quote request id 0123456789abcdef.)"
        );
        // A refusal is the person's to act on, not the operators': no id.
        assert!(
            !refused(422, Some("0123456789abcdef"))
                .to_string()
                .contains("request id")
        );
        assert_eq!(
            refused(503, None).to_string(),
            "The server had a problem. Try again in a moment."
        );
    }
}

#[cfg(test)]
mod explain_tests {
    use super::*;

    fn body(code: &str, message: &str) -> ErrorBody {
        ErrorBody {
            error: code.to_owned(),
            message: message.to_owned(),
            fields: Vec::new(),
            request_id: None,
        }
    }

    #[test]
    fn no_words_meant_for_developers_reach_a_person() {
        let answers = [
            (
                401,
                "unauthorized",
                "A valid token is required: send `Authorization: Bearer <token>`.",
            ),
            (
                401,
                "removed",
                "The facilitator removed this participant from the review.",
            ),
            (
                401,
                "signed_out",
                "This token was replaced: its place in the review continues in another browser.",
            ),
            (
                410,
                "facilitator_link_used",
                "This facilitator link was used already or is more than a day old.",
            ),
            (
                401,
                "invite_unknown",
                "This invite link is not valid for this review.",
            ),
            (
                410,
                "invite_replaced",
                "This invite link was replaced by a newer one.",
            ),
            (
                409,
                "joining_closed",
                "The facilitator has closed joining for this review.",
            ),
            (
                409,
                "review_full",
                "This review already has its 3 participants.",
            ),
            (
                409,
                "joining_over",
                "This review no longer takes new participants: it is in the Group review phase.",
            ),
            (
                409,
                "already_joined",
                "Someone has already joined as this participant.",
            ),
            (403, "forbidden", "This token does not allow this."),
            (
                428,
                "precondition_required",
                "This write must say `If-Match: \"<version>\"`.",
            ),
            (
                401,
                "access_key_required",
                "send it as `X-Mosaic-Access-Key: <key>`.",
            ),
            (
                400,
                "invalid_json",
                "The body is not valid JSON: expected value",
            ),
            (500, "internal", "Something went wrong on the server."),
            (502, "http_error", "The server answered 502 Bad Gateway"),
        ];
        for (status, code, message) in answers {
            let text = explain(status, &body(code, message));
            for word in ["Bearer", "token", "`", "JSON", "If-Match", "X-Mosaic"] {
                assert!(!text.contains(word), "{code}: {text}");
            }
            assert!(text.ends_with('.'), "{code}: {text}");
        }
    }

    #[test]
    fn refusals_say_what_to_do_next() {
        let same = body(
            "same_person",
            "Ada (SRE) is already in this review: one person takes part once.",
        );
        assert_eq!(
            explain(409, &same),
            "Ada (SRE) is already in this review. If that is you, open the review in the \
             browser you joined from, or use your personal link."
        );
        let over = body(
            "joining_over",
            "This review no longer takes new participants: it is in the Group review phase.",
        );
        assert_eq!(
            explain(409, &over),
            "This review no longer takes new participants: it is in the Group review phase. \
             Ask the facilitator if you have something to add."
        );
        let phase = body(
            "refused",
            "this can't be changed while the review is in the Published phase",
        );
        assert_eq!(
            explain(422, &phase),
            "This can't be changed while the review is in the Published phase."
        );
    }
}
