//! [`PublicUrl`]: the address people reach this server at (`--public-url`), the one base of
//! every absolute link the server writes (the feed's subscriptions). Never taken from a
//! request: a `Host` or `X-Forwarded-Proto` header is the client's to choose, and a link built
//! from one could be cached and served to every other reader.

use axum::http::Uri;
use std::fmt;
use std::str::FromStr;

/// `http://` or `https://`, a host, an optional port and path prefix; no trailing `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    /// The address a server listening on `addr` answers at, when none was configured.
    pub fn from_listen_addr(addr: std::net::SocketAddr) -> Self {
        Self(format!("http://{addr}"))
    }

    /// `scheme://host[:port][/prefix]`, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether people reach the server over TLS (then browsers are told to keep to it: HSTS).
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

impl Default for PublicUrl {
    fn default() -> Self {
        Self("http://localhost:8080".to_owned())
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a `--public-url` was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the public URL {0}; give one like https://mosaic.example.com")]
pub struct InvalidPublicUrl(&'static str);

impl FromStr for PublicUrl {
    type Err = InvalidPublicUrl;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let uri: Uri = raw
            .trim()
            .parse()
            .map_err(|_| InvalidPublicUrl("is not a URL"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            _ => return Err(InvalidPublicUrl("must start with http:// or https://")),
        }
        let authority = uri
            .authority()
            .ok_or(InvalidPublicUrl("has no host name"))?;
        if authority.as_str().contains('@') || authority.host().is_empty() {
            return Err(InvalidPublicUrl("must name a host, with no user name"));
        }
        if uri.query().is_some() || raw.contains('#') {
            return Err(InvalidPublicUrl("must have no query or fragment"));
        }
        let scheme = uri.scheme_str().unwrap_or("http");
        let path = uri.path().trim_end_matches('/');
        Ok(Self(format!("{scheme}://{authority}{path}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_checked_and_kept_without_a_trailing_slash() {
        let ok = [
            ("https://mosaic.example.com/", "https://mosaic.example.com"),
            ("http://10.0.0.5:8080", "http://10.0.0.5:8080"),
            (
                "https://intra.example/tools/mosaic/",
                "https://intra.example/tools/mosaic",
            ),
        ];
        for (raw, expected) in ok {
            assert_eq!(raw.parse::<PublicUrl>().unwrap().as_str(), expected);
        }
        for bad in [
            "mosaic.example.com",
            "ftp://x",
            "https://u@x",
            "https://x/?a=1",
            "",
        ] {
            assert!(bad.parse::<PublicUrl>().is_err(), "{bad}");
        }
        assert!("https://x".parse::<PublicUrl>().unwrap().is_https());
        assert!(!"http://x".parse::<PublicUrl>().unwrap().is_https());
    }
}
