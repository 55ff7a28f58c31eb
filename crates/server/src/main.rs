//! The `mosaic-server` binary: reads its [`Config`], sets up logging and runs the server.
//! Everything else lives in the library, where the tests can reach it.

use clap::Parser;
use mosaic_server::Config;
use std::io::IsTerminal;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    // Logs go to stderr: stdout carries only the "running at" line, which scripts parse.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour only for a person watching; a log file or journal gets plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match mosaic_server::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Printed rather than logged: a failed start must be visible whatever RUST_LOG says.
            eprintln!("mosaic-server: {e}");
            ExitCode::FAILURE
        }
    }
}
