//! This browser's sync setting, kept in `localStorage` so it survives reloads.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::{self, Api};
use crate::drafts;

const KEY: &str = "mosaic.settings";

/// Where reviews are kept besides this browser's own storage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "mode", rename_all = "snake_case", try_from = "Stored")]
pub enum SyncMode {
    /// Reviews stay in this browser's IndexedDB; no request leaves the page.
    #[default]
    Local,
    /// Reviews are also sent to, and read from, a Mosaic server.
    Server {
        url: String,
        /// The organisation's access key, for a server started with one.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        access_key: String,
    },
}

/// How the setting is stored: `{"mode": "local"}` or `{"mode": "server", "url": …}`. Read
/// through this struct rather than serde's reader for a tagged enum, which copies the object into
/// a buffer first: that reader would be in every page's code, since every page reads this.
#[derive(Deserialize)]
struct Stored {
    mode: StoredMode,
    url: Option<String>,
    #[serde(default)]
    access_key: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum StoredMode {
    Local,
    Server,
}

impl TryFrom<Stored> for SyncMode {
    type Error = &'static str;

    fn try_from(stored: Stored) -> Result<Self, Self::Error> {
        match (stored.mode, stored.url) {
            (StoredMode::Local, _) => Ok(SyncMode::Local),
            (StoredMode::Server, Some(url)) => Ok(SyncMode::Server {
                url,
                access_key: stored.access_key,
            }),
            (StoredMode::Server, None) => Err("a server setting without its address"),
        }
    }
}

impl SyncMode {
    /// The server's base URL without a trailing slash, when syncing.
    pub fn server_url(&self) -> Option<&str> {
        match self {
            SyncMode::Local => None,
            SyncMode::Server { url, .. } => Some(url.trim_end_matches('/')),
        }
    }

    /// The client for the server of this setting, with its access key; `None` in "this browser
    /// only" mode.
    pub fn api(&self) -> Option<Api> {
        Some(Api::new(self.server_url()?).with_access_key(self.access_key()))
    }

    /// The organisation's access key, when one is set.
    pub fn access_key(&self) -> Option<&str> {
        match self {
            SyncMode::Server { access_key, .. } if !access_key.is_empty() => Some(access_key),
            _ => None,
        }
    }
}

/// Checks a server URL a person typed: it must be absolute http(s) with a host.
pub fn validate_server_url(raw: &str) -> Result<String, String> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| "The server URL must start with http:// or https://".to_owned())?;
    if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) {
        return Err("The server URL needs a host name, such as https://mosaic.example.org".into());
    }
    Ok(url.to_owned())
}

/// The app-wide setting, provided by [`provide_settings_context`]; most pages need only
/// [`mode`].
#[derive(Clone, Copy)]
pub struct Settings {
    /// "This browser only" or the sync server.
    pub mode: RwSignal<SyncMode>,
    /// Whether the choice is known: stored, or (in a browser that never chose) once the page's
    /// origin answered whether it is a Mosaic server. Until then the mode reads "this browser
    /// only", which a page may not want to act on (the feed waits rather than open its local
    /// view for a moment).
    pub known: RwSignal<bool>,
}

/// This browser's sync choice, from the app's [`Settings`].
pub fn mode() -> RwSignal<SyncMode> {
    expect_context::<Settings>().mode
}

/// Loads the setting and keeps `localStorage` in step with every change.
///
/// A browser that has never chosen starts with the page's own origin when that is a Mosaic
/// server (the app it serves is meant to sync with it: a reader opening its feed, a facilitator
/// creating a review others join), and with "this browser only" anywhere else. Nothing is
/// stored until a choice is made, so an undecided browser asks again on its next visit.
pub fn provide_settings_context() {
    let stored = drafts::load::<SyncMode>(KEY);
    let decided = stored.is_some();
    let mode = RwSignal::new(stored.unwrap_or_default());
    // An effect only to sync with the outside world: localStorage. Its first run only reads.
    crate::effect::effect(move |previous: Option<()>| {
        mode.with(|m| {
            if decided || previous.is_some() {
                drafts::save(KEY, m);
            }
        })
    });
    let known = RwSignal::new(decided);
    if !decided {
        leptos::task::spawn_local(async move {
            let origin = page_origin();
            if api::is_mosaic_server(&origin).await && mode.get_untracked() == SyncMode::Local {
                mode.set(SyncMode::Server {
                    url: origin,
                    access_key: String::new(),
                });
            }
            known.set(true);
        });
    }
    provide_context(Settings { mode, known });
}

/// The page's own origin, the natural default for a server URL.
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_reads_back_as_stored_and_refuses_a_server_without_an_address() {
        let server = SyncMode::Server {
            url: "https://mosaic.example".into(),
            access_key: String::new(),
        };
        let keyed = SyncMode::Server {
            url: "https://mosaic.example".into(),
            access_key: "k".into(),
        };
        for mode in [SyncMode::Local, server, keyed] {
            let text = serde_json::to_string(&mode).unwrap();
            assert_eq!(
                serde_json::from_str::<SyncMode>(&text).unwrap(),
                mode,
                "{text}"
            );
        }
        assert_eq!(
            serde_json::to_string(&SyncMode::Local).unwrap(),
            r#"{"mode":"local"}"#
        );
        let stored = r#"{"url":"https://m.example","mode":"server"}"#;
        assert!(matches!(
            serde_json::from_str::<SyncMode>(stored),
            Ok(SyncMode::Server { url, .. }) if url == "https://m.example"
        ));
        for damaged in [r#"{"mode":"server"}"#, r#"{"mode":"cloud"}"#, "{}", "[]"] {
            assert!(
                serde_json::from_str::<SyncMode>(damaged).is_err(),
                "{damaged}"
            );
        }
    }
}
