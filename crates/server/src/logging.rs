//! Where log lines go and how they look: stderr (stdout carries only the "running at" line,
//! which scripts read), as text for a person or JSON for a log pipeline, filtered by
//! `RUST_LOG` (default `info`).
//!
//! In JSON each line is one object: `timestamp`, `level`, `target`, the event's fields (its
//! `message` among them), and `span` with the request's `request_id`, `method` and `path` when
//! it was logged while serving a request. Nothing logs a request's body, query string or
//! headers: the event stream's query carries tokens.

use clap::ValueEnum;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// `--log-format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Installs the process's logger. Called once, by `main`.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    match format {
        // Colour only for a person watching; a log file or journal gets plain text.
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}
