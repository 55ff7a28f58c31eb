//! The links to the join page (`/join/{review}#kind=token`): the kinds of token they carry,
//! and how one is written. The join page reads them by the same names.

/// What a join link's token is, as the fragment names it (`#invite=…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// The review's shared invite.
    Invite,
    /// A personal invite the facilitator made for one row.
    Person,
    /// A participant's own personal link, to continue on another device.
    Resume,
    /// A one-time facilitator link.
    Facilitate,
}

impl LinkKind {
    /// The fragment parameter that carries this kind of token.
    pub fn param(self) -> &'static str {
        match self {
            Self::Invite => "invite",
            Self::Person => "person",
            Self::Resume => "resume",
            Self::Facilitate => "facilitate",
        }
    }
}

/// The join page's address for review `review_id` with `token` of `kind`. The token and a
/// closed server's access key ride in the fragment, which browsers never send to a server, so
/// they stay out of access logs and the newcomer needs nothing else.
pub fn join_link(
    kind: LinkKind,
    origin: &str,
    review_id: &str,
    token: &str,
    access_key: Option<&str>,
) -> String {
    let key = access_key
        .map(|k| format!("&key={}", encode_component(k)))
        .unwrap_or_default();
    format!("{origin}/join/{review_id}#{}={token}{key}", kind.param())
}

/// Percent-encodes a fragment parameter's value.
fn encode_component(value: &str) -> String {
    let params = web_sys::UrlSearchParams::new().expect("URLSearchParams exists");
    params.append("k", value);
    String::from(params.to_string())
        .strip_prefix("k=")
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::{LinkKind, join_link};

    #[test]
    fn the_invite_token_travels_in_the_fragment() {
        assert_eq!(
            join_link(LinkKind::Invite, "https://m.example", "r-1", "abc", None),
            "https://m.example/join/r-1#invite=abc"
        );
    }
}
