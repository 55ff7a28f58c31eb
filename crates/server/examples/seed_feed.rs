//! Seeds a Mosaic database with published findings, for the feed benchmark in
//! `scripts/bench.sh`:
//!
//!     cargo run --profile server -p mosaic-server --example seed_feed -- \
//!         --database sqlite://feed.db --count 100000
//!
//! Each finding is a published review, stored with its feed row through
//! [`Store::insert_reviews`] (the same feed code every review commit runs), a thousand per
//! transaction. The findings are made up by `tests/support/seeded_findings.rs` (shared with the
//! test comparing both backends' search); the same `--seed` gives the same findings.

#[path = "../tests/support/seeded_findings.rs"]
mod seeded_findings;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use clap::Parser;
use mosaic_domain::Review;
use mosaic_server::Store;
use seeded_findings::Findings;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// Where to seed: a SQLite path or `sqlite://` URL, or a `postgres://` URL.
    #[arg(long)]
    database: String,
    /// How many published findings to add.
    #[arg(long, default_value_t = 100_000)]
    count: u32,
    /// Findings per transaction.
    #[arg(long, default_value_t = 1_000)]
    batch: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let store = Store::open(&args.database).await?;
    let mut findings = Findings::new(args.seed);
    // Two years of findings, in publishing order, a few minutes apart.
    let start = Utc.from_utc_datetime(
        &NaiveDate::from_ymd_opt(2024, 1, 1)
            .expect("a valid date")
            .and_hms_opt(9, 0, 0)
            .expect("a valid time"),
    );
    let step = Duration::days(730) / args.count.max(1) as i32;
    let began = Instant::now();
    let mut stored = 0;
    let mut n = 0;
    while n < args.count {
        let batch: Vec<Review> = (n..(n + args.batch).min(args.count))
            .map(|i| {
                let jitter = Duration::seconds(findings.below(60) as i64);
                findings.review(i, start + step * i as i32 + jitter)
            })
            .collect();
        n += batch.len() as u32;
        stored += store.insert_reviews(&batch).await?;
        if n % 10_000 == 0 || n == args.count {
            eprintln!(
                "seeded {n} of {} ({:.1} s)",
                args.count,
                began.elapsed().as_secs_f64()
            );
        }
    }
    store.close().await;
    println!(
        "{stored} published findings stored in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    Ok(())
}
