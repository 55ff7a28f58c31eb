//! Made-up published findings for the feed's benchmark (`examples/seed_feed.rs`) and for the
//! test that compares the search on both backends (`tests/search.rs`): text drawn from an
//! incident-review vocabulary and a long tail of made-up words, with a skewed (Zipf-like)
//! choice, so that some words are in most findings and most words in few. The same seed gives
//! the same findings.

use chrono::{DateTime, Duration, Utc};
use mosaic_domain::feed::{Audience, SectionAudience};
use mosaic_domain::finding::{FindingAction, FindingFactor, FindingFactorGroup};
use mosaic_domain::wire::{CreateReview, NewReview};
use mosaic_domain::{ActionKind, ActionStatus, FactorKind, Finding, Priority, Review, Severity};

/// Draws findings: `Findings::new(seed)`, then [`Findings::review`] for each.
pub struct Findings {
    rng: Rng,
    words: Vec<String>,
}

impl Findings {
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng(seed);
        let words = vocabulary(&mut rng);
        Self { rng, words }
    }

    /// The `n`th review, published at `published_at`, with id `seed-{n:06}`.
    pub fn review(&mut self, n: u32, published_at: DateTime<Utc>) -> Review {
        review(&mut self.rng, &self.words, n, published_at)
    }

    /// Uniform in `0..n`, from the same stream.
    pub fn below(&mut self, n: usize) -> usize {
        self.rng.below(n)
    }
}

/// Words incident reviews are written in; the first ones are drawn most often.
const COMMON: &[&str] = &[
    "the",
    "a",
    "to",
    "of",
    "and",
    "in",
    "was",
    "on",
    "for",
    "we",
    "it",
    "not",
    "after",
    "during",
    "deploy",
    "database",
    "pool",
    "connection",
    "latency",
    "timeout",
    "alert",
    "rollback",
    "service",
    "traffic",
    "error",
    "errors",
    "queue",
    "cache",
    "config",
    "change",
    "release",
    "users",
    "requests",
    "retry",
    "retries",
    "page",
    "pager",
    "on-call",
    "runbook",
    "dashboard",
    "disk",
    "full",
    "memory",
    "leak",
    "cpu",
    "saturation",
    "saturated",
    "throttling",
    "limit",
    "capacity",
    "replica",
    "lag",
    "failover",
    "primary",
    "migration",
    "schema",
    "index",
    "lock",
    "deadlock",
    "certificate",
    "expired",
    "dns",
    "resolver",
    "load",
    "balancer",
    "health",
    "check",
    "checks",
    "canary",
    "flag",
    "feature",
    "kubernetes",
    "node",
    "pod",
    "evicted",
    "autoscaling",
    "scaling",
    "region",
    "zone",
    "network",
    "partition",
    "packet",
    "loss",
    "storage",
    "backup",
    "restore",
    "snapshot",
    "job",
    "cron",
    "batch",
    "backlog",
    "consumer",
    "producer",
    "kafka",
    "topic",
    "offset",
    "storm",
    "thundering",
    "herd",
    "circuit",
    "breaker",
    "dependency",
    "upstream",
    "downstream",
    "vendor",
    "api",
    "gateway",
    "token",
    "auth",
    "login",
    "session",
    "checkout",
    "payments",
    "search",
    "billing",
    "email",
    "notification",
    "monitoring",
    "metric",
    "threshold",
    "noisy",
    "missed",
    "escalation",
    "handover",
    "documentation",
    "ownership",
    "unclear",
    "knowledge",
    "gap",
    "surprise",
    "assumed",
    "expected",
    "slow",
    "stalled",
    "spike",
    "peak",
    "hours",
    "minutes",
    "customers",
    "impact",
    "mitigation",
    "manual",
    "automation",
    "test",
    "staging",
    "production",
    "review",
    "process",
    "approval",
    "freeze",
    "window",
    "weekend",
    "night",
    "shift",
    "team",
    "teams",
    "training",
];

/// Syllables for the long tail of rarer words (product names, hosts, jargon).
const SYLLABLES: &[&str] = &[
    "ka", "zu", "mor", "tel", "vin", "qua", "rex", "pli", "dor", "sen", "bri", "lo", "nax", "fer",
    "gol", "hup", "jin", "kry", "mep", "oth", "pav", "ril", "sto", "tur", "ulm", "vex", "wib",
    "yar", "zen", "cal",
];

const TEAMS: &[&str] = &[
    "Payments",
    "Search Platform",
    "Checkout",
    "Identity",
    "Billing",
    "Messaging",
    "Storage",
    "Networking",
    "Mobile",
    "Web",
    "Data Platform",
    "Observability",
    "Security",
    "Growth",
    "Logistics",
    "Catalog",
    "Recommendations",
    "Support Tools",
    "Infrastructure",
    "Edge",
];

const TAGS: &[&str] = &[
    "database",
    "deploys",
    "capacity",
    "dns",
    "certificates",
    "config",
    "alerting",
    "vendor",
    "kubernetes",
    "network",
    "cache",
    "queue",
    "migration",
    "auth",
    "storage",
    "on-call",
    "runbooks",
    "feature-flags",
    "autoscaling",
    "backups",
    "latency",
    "data-loss",
    "security",
    "third-party",
    "cron",
    "billing",
    "email",
    "mobile",
    "edge",
    "observability",
];

/// SplitMix64: small, fast and deterministic; no cryptography needed to make up text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// Skewed towards 0: index `i` is drawn about as often as `1 / (i + 1)`.
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (((n as f64 + 1.0).powf(u) - 1.0) as usize).min(n - 1)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// The vocabulary: the common words, then 4,000 made-up ones.
fn vocabulary(rng: &mut Rng) -> Vec<String> {
    let mut words: Vec<String> = COMMON.iter().map(|w| (*w).to_owned()).collect();
    while words.len() < COMMON.len() + 4_000 {
        let n = 2 + rng.below(2);
        let word: String = (0..n).map(|_| rng.pick(SYLLABLES)).collect();
        words.push(word);
    }
    words
}

fn sentence(rng: &mut Rng, words: &[String], min: usize, max: usize) -> String {
    let n = min + rng.below(max - min + 1);
    let mut text: Vec<&str> = (0..n)
        .map(|_| words[rng.zipf(words.len())].as_str())
        .collect();
    let mut s = text.remove(0).to_owned();
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    for w in text {
        s.push(' ');
        s.push_str(w);
    }
    s
}

fn factors(rng: &mut Rng, words: &[String], max: usize) -> Vec<FindingFactor> {
    (0..rng.below(max + 1))
        .map(|_| FindingFactor {
            text: sentence(rng, words, 4, 10),
            votes: rng.below(6) as u32,
            noted_by: "on-call SRE".to_owned(),
        })
        .collect()
}

fn review(rng: &mut Rng, words: &[String], n: u32, published_at: DateTime<Utc>) -> Review {
    let team = rng.pick(TEAMS);
    let services: Vec<String> = (0..1 + rng.below(3))
        .map(|_| format!("{}-{}", words[rng.zipf(words.len())], rng.below(40)))
        .collect();
    let severity = Severity::ALL[rng.below(4)];
    let started_at = published_at - Duration::days(3 + rng.below(10) as i64);
    let create = CreateReview {
        id: format!("seed-{n:06}"),
        title: sentence(rng, words, 5, 9),
        started_at,
        detected_at: None,
        resolved_at: None,
        severity,
        team: team.to_owned(),
        services: services.clone(),
    };
    let new = NewReview::try_from(create.clone()).expect("seeded facts are valid");
    let review = Review::new(new.id, new.facts, started_at);

    let summary = format!(
        "{}. **{}**. {}.",
        sentence(rng, words, 12, 25),
        sentence(rng, words, 3, 6),
        sentence(rng, words, 10, 25)
    );
    let groups = [
        FactorKind::Technical,
        FactorKind::Human,
        FactorKind::Organisational,
    ]
    .into_iter()
    .map(|kind| FindingFactorGroup {
        kind,
        factors: factors(rng, words, 2),
    })
    .filter(|g| !g.factors.is_empty())
    .collect();
    let actions = (0..1 + rng.below(3))
        .map(|_| FindingAction {
            id: None,
            title: sentence(rng, words, 4, 8),
            kind: [
                ActionKind::Prevent,
                ActionKind::Detect,
                ActionKind::Mitigate,
                ActionKind::Learn,
            ][rng.below(4)],
            priority: [Priority::P1, Priority::P2, Priority::P3][rng.below(3)],
            status: [
                ActionStatus::Open,
                ActionStatus::InProgress,
                ActionStatus::Done,
                ActionStatus::WontDo,
            ][rng.below(4)],
            due: Some(published_at.date_naive() + Duration::days(rng.below(60) as i64)),
            owner: Some("on-call SRE".to_owned()),
            tracker_url: None,
            assignee: String::new(),
            created_at: None,
            history: Vec::new(),
        })
        .collect();
    let mut tags: Vec<String> = (0..1 + rng.below(3))
        .map(|_| TAGS[rng.zipf(TAGS.len())].to_owned())
        .collect();
    tags.sort();
    tags.dedup();
    let mut audience = SectionAudience::default();
    if rng.chance(10) {
        audience.knowledge_gaps = Audience::Team;
    }
    let finding = Finding {
        review_id: review.id.clone(),
        title: create.title.clone(),
        summary,
        unfolded: Vec::new(),
        themes: Vec::new(),
        key_insights: (0..2 + rng.below(3))
            .map(|_| sentence(rng, words, 6, 14))
            .collect(),
        factors: groups,
        surprises: factors(rng, words, 2),
        knowledge_gaps: factors(rng, words, 2),
        helped: factors(rng, words, 1),
        lucky: Vec::new(),
        actions,
        team: team.to_owned(),
        services,
        severity,
        impact: String::new(),
        affected_count: None,
        time_to_detect_minutes: Some(rng.below(60) as i64),
        time_to_resolve_minutes: Some(60 + rng.below(600) as i64),
        published_at,
        tags,
        audience,
    };
    // A review reaches Published only through its phases; a seeded one is written as it would
    // be stored then: the `Review` document with its phase and finding.
    let mut doc = serde_json::to_value(&review).expect("a review serializes");
    doc["phase"] = "published".into();
    doc["finding"] = serde_json::to_value(&finding).expect("a finding serializes");
    let mut review: Review = serde_json::from_value(doc).expect("the seeded review reads back");
    review.updated_at = published_at;
    review
}
