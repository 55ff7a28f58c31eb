//! The feed's search answers the same on SQLite and on PostgreSQL: the same findings, seeded
//! into both (`support/seeded_findings.rs`, the benchmark's generator), asked every shape of
//! query a person asks (one to three words, each a prefix; with and without each filter and
//! dates; nothing at all; the pages after the first), give the same pages in the same order and
//! the same capped totals, and the statistics read the same findings.
//!
//! Needs PostgreSQL: `MOSAIC_TEST_POSTGRES_URL` (otherwise it says so and passes, as the API
//! suite's PostgreSQL tier does).

#[path = "support/seeded_findings.rs"]
#[allow(dead_code)]
mod seeded_findings;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use mosaic_domain::FactorKind;
use mosaic_domain::feed::FeedQuery;
use mosaic_server::Store;
use mosaic_server::store::{COUNT_CAP, FeedFilter};
use seeded_findings::Findings;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use std::collections::BTreeSet;

/// Enough findings that common words pass [`COUNT_CAP`] and pages run several deep.
const FINDINGS: u32 = 2_500;

#[tokio::test]
async fn sqlite_and_postgres_find_the_same() {
    let Ok(url) = std::env::var("MOSAIC_TEST_POSTGRES_URL") else {
        eprintln!("PostgreSQL tier not run: MOSAIC_TEST_POSTGRES_URL is not set");
        return;
    };
    let base: PgConnectOptions = url.parse().expect("MOSAIC_TEST_POSTGRES_URL");
    let schema = format!("mosaic_search_{}", std::process::id());
    let mut admin = PgConnection::connect_with(&base).await.unwrap();
    for sql in [
        format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
        format!("CREATE SCHEMA {schema}"),
    ] {
        sqlx::query(&sql).execute(&mut admin).await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open_sqlite(&dir.path().join("search.db"))
        .await
        .unwrap();
    let postgres = Store::open_postgres(base.clone().options([("search_path", schema.as_str())]))
        .await
        .unwrap();

    // The same findings in both, a few hours apart over a year, some in the same second.
    let mut findings = Findings::new(13);
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap();
    let reviews: Vec<_> = (0..FINDINGS)
        .map(|n| {
            let at = start + Duration::hours(i64::from(n / 2) * 3);
            findings.review(n, at)
        })
        .collect();
    for batch in reviews.chunks(500) {
        assert_eq!(
            sqlite.insert_reviews(batch).await.unwrap(),
            batch.len() as u64
        );
        assert_eq!(
            postgres.insert_reviews(batch).await.unwrap(),
            batch.len() as u64
        );
    }

    // Words as people type them: whole words of the findings' titles, their first letters,
    // and words nothing holds.
    let titles = reviews
        .iter()
        .filter_map(|r| r.finding())
        .map(|f| f.title.to_lowercase());
    let mut words: BTreeSet<String> = BTreeSet::new();
    for title in titles.take(10) {
        words.extend(title.split_whitespace().map(str::to_owned));
    }
    let words: Vec<String> = words.into_iter().collect();
    let mut searches: Vec<String> = vec![String::new(), "zzzqx".into(), "rollback zzzqx".into()];
    for (i, word) in words.iter().enumerate() {
        let prefix: String = word.chars().take(1 + i % 4).collect();
        searches.push(word.clone());
        searches.push(prefix.clone());
        let next = &words[(i * 7 + 3) % words.len()];
        searches.push(format!("{next} {prefix}"));
        let third = &words[(i * 13 + 5) % words.len()];
        searches.push(format!("{third} {next} {prefix}"));
    }
    let first = reviews[0].finding().unwrap();
    let day = |d: u32| NaiveDate::from_ymd_opt(2025, 3, d);
    let filters: Vec<FeedQuery> = vec![
        FeedQuery::default(),
        FeedQuery {
            team: Some(first.team.clone()),
            ..FeedQuery::default()
        },
        FeedQuery {
            service: Some(first.services[0].clone()),
            ..FeedQuery::default()
        },
        FeedQuery {
            tag: Some(first.tags[0].clone()),
            ..FeedQuery::default()
        },
        FeedQuery {
            kind: Some(FactorKind::KnowledgeGap),
            ..FeedQuery::default()
        },
        FeedQuery {
            from: day(1),
            to: day(20),
            ..FeedQuery::default()
        },
        FeedQuery {
            team: Some(first.team.clone()),
            kind: Some(FactorKind::Technical),
            from: day(1),
            ..FeedQuery::default()
        },
        FeedQuery {
            tag: Some(first.tags[0].clone()),
            kind: Some(FactorKind::Technical),
            ..FeedQuery::default()
        },
        FeedQuery {
            service: Some(first.services[0].clone()),
            kind: Some(FactorKind::KnowledgeGap),
            ..FeedQuery::default()
        },
    ];

    let mut compared = 0;
    let mut capped = 0;
    for (i, q) in searches.iter().enumerate() {
        // Every search unfiltered; each with one filter set in turn.
        for filter in [&filters[0], &filters[1 + i % (filters.len() - 1)]] {
            let query = FeedQuery {
                q: (!q.is_empty()).then(|| q.clone()),
                ..filter.clone()
            };
            let filter = FeedFilter::new(&query);
            let mut before = None;
            // The first page and up to two more, by the cursor.
            for _ in 0..3 {
                let a = sqlite.feed_page(&filter, before, 20).await.unwrap();
                let b = postgres.feed_page(&filter, before, 20).await.unwrap();
                let ids = |page: &mosaic_server::store::FeedItems| -> Vec<(i64, String)> {
                    page.items
                        .iter()
                        .map(|item| (item.pos, item.finding.review_id.to_string()))
                        .collect()
                };
                assert_eq!(ids(&a), ids(&b), "{query:?} before {before:?}");
                assert_eq!(a.total, b.total, "{query:?} before {before:?}");
                compared += 1;
                if a.total > COUNT_CAP as u64 {
                    capped += 1;
                }
                match a.items.last() {
                    Some(last) if a.items.len() == 20 => before = Some(last.pos),
                    _ => break,
                }
            }
            // The statistics read the same findings (every fifth search: each reads them all).
            if i % 5 != 0 {
                continue;
            }
            let mut x = Vec::new();
            let mut y = Vec::new();
            sqlite
                .feed_each(&filter, |f| x.push(f.review_id.to_string()))
                .await
                .unwrap();
            postgres
                .feed_each(&filter, |f| y.push(f.review_id.to_string()))
                .await
                .unwrap();
            x.sort();
            y.sort();
            assert_eq!(x, y, "{query:?}: statistics");
        }
    }
    assert!(compared > 300, "{compared} pages compared");
    assert!(
        capped > 10,
        "{capped} totals were capped: too few broad searches"
    );

    sqlite.close().await;
    postgres.close().await;
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&mut admin)
        .await
        .unwrap();
}
