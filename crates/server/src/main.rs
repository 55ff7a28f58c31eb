//! The `mosaic-server` binary: reads its [`Config`], sets up logging and runs the server (or
//! one of the operator's commands). Everything else lives in the library, where the tests can
//! reach it.

use clap::Parser;
use mosaic_server::Config;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    mosaic_server::logging::init(config.ops.log_format);
    match mosaic_server::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Printed rather than logged: a failed start must be visible whatever RUST_LOG says.
            eprintln!("mosaic-server: {e}");
            ExitCode::FAILURE
        }
    }
}
