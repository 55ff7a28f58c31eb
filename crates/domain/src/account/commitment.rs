//! The commitment that seals a submitted account: the lowercase hex SHA-256 of its canonical form.
//!
//! The shared review records each participant's commitment when they submit, before anyone can
//! read anyone else's account. After the reveal, anyone can recompute the hash of the account
//! they are shown and compare: an account changed after submission no longer matches. A later
//! server signs nothing new; it only needs this same function, so the canonical form is fixed
//! here, byte for byte.
//!
//! # Canonical form (version 2)
//!
//! UTF-8 JSON with no whitespace between tokens and keys in exactly this order:
//!
//! ```text
//! {"format":"mosaic-account/2","review_id":R,"participant_id":P,"entries":[E,…],"observations":[O,…],"answers":[A,…]}
//! E = {"id":ID,"at":T,"what_happened":S,"knew_or_believed":S,"what_i_did":S}
//! O = {"id":ID,"kind":K,"text":S}
//! A = {"question":ID,"text":S}
//! ```
//!
//! - Entries, observations and answers appear in the order the account stores them (entries are
//!   kept chronological, ties in the order they were added; answers in the order first given),
//!   separated by `,`; an empty list is `[]`.
//! - `T` is the entry's time in UTC as RFC 3339 with a `Z` suffix: `YYYY-MM-DDTHH:MM:SS`, then a
//!   `.` and 3, 6 or 9 digits only when the sub-second part is not zero (the fewest of those that
//!   show it exactly), then `Z`. For example `2026-11-01T10:05:00Z`, `2026-11-01T10:05:00.250Z`.
//! - `K` is the factor kind's key: `"technical"`, `"human"`, `"organisational"`,
//!   `"knowledge_gap"`, `"operational_surprise"`, `"helped"` or `"lucky"`.
//! - Every string is written as stored (already trimmed) between `"`, escaping only `"` as `\"`,
//!   `\` as `\\`, U+0008 as `\b`, U+0009 as `\t`, U+000A as `\n`, U+000C as `\f`, U+000D as `\r`,
//!   and every other character below U+0020 as `\u00XX` with lowercase hex digits. Everything else,
//!   `/` and non-ASCII included, is written as its UTF-8 bytes.
//! - Left out on purpose: `version` (it counts edits, not content) and `submitted_at` (the review
//!   records it beside the commitment).
//!
//! The leading `"format"` names this definition, so a future change to it can't be mistaken for
//! tampering.
//!
//! # Version 1
//!
//! Accounts sealed before guides existed were hashed by version 1: the same bytes with
//! `"format":"mosaic-account/1"` and without the `"answers"` key. Such an account has no
//! answers, and [`verify_commitment`] still accepts it by that form; an account with answers
//! verifies only by version 2, which covers them.

use crate::account::Account;
use chrono::SecondsFormat;
use sha2::{Digest, Sha256};

/// Names this definition of the canonical form; part of the hashed bytes.
pub const CANONICAL_FORMAT: &str = "mosaic-account/2";
/// The definition before answers were part of an account.
pub const CANONICAL_FORMAT_V1: &str = "mosaic-account/1";

/// The canonical form of `account`'s content, as defined in the module documentation.
pub fn canonical_form(account: &Account) -> String {
    form(account, true)
}

/// Version 1 of the canonical form, which accounts sealed before guides existed were hashed by.
pub fn canonical_form_v1(account: &Account) -> String {
    form(account, false)
}

fn form(account: &Account, v2: bool) -> String {
    let mut out = String::new();
    out.push_str("{\"format\":");
    string(
        &mut out,
        if v2 {
            CANONICAL_FORMAT
        } else {
            CANONICAL_FORMAT_V1
        },
    );
    out.push_str(",\"review_id\":");
    string(&mut out, account.review_id().as_str());
    out.push_str(",\"participant_id\":");
    string(&mut out, account.participant_id().as_str());
    out.push_str(",\"entries\":[");
    for (i, e) in account.entries().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"id\":");
        string(&mut out, e.id.as_str());
        out.push_str(",\"at\":");
        string(&mut out, &e.at.to_rfc3339_opts(SecondsFormat::AutoSi, true));
        out.push_str(",\"what_happened\":");
        string(&mut out, &e.what_happened);
        out.push_str(",\"knew_or_believed\":");
        string(&mut out, &e.knew_or_believed);
        out.push_str(",\"what_i_did\":");
        string(&mut out, &e.what_i_did);
        out.push('}');
    }
    out.push_str("],\"observations\":[");
    for (i, o) in account.observations().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"id\":");
        string(&mut out, o.id.as_str());
        out.push_str(",\"kind\":");
        string(&mut out, o.kind.key());
        out.push_str(",\"text\":");
        string(&mut out, &o.text);
        out.push('}');
    }
    out.push(']');
    if v2 {
        out.push_str(",\"answers\":[");
        for (i, a) in account.answers().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"question\":");
            string(&mut out, a.question.as_str());
            out.push_str(",\"text\":");
            string(&mut out, &a.text);
            out.push('}');
        }
        out.push(']');
    }
    out.push('}');
    out
}

/// Written by hand rather than through a JSON library so that the bytes are this module's
/// definition and can't change with a dependency's version.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The lowercase hex SHA-256 of [`canonical_form`]: 64 characters.
pub fn compute(account: &Account) -> String {
    hex::encode(Sha256::digest(canonical_form(account).as_bytes()))
}

/// Whether `account` is submitted and its content still hashes to its sealed commitment, by the
/// current canonical form or, for an account without answers sealed before them, by version 1.
/// A draft has nothing to verify, so it is `false`.
pub fn verify_commitment(account: &Account) -> bool {
    let Some(sealed) = account.commitment().filter(|_| account.is_submitted()) else {
        return false;
    };
    sealed == compute(account)
        || (account.answers().is_empty()
            && sealed == hex::encode(Sha256::digest(canonical_form_v1(account).as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::EntryInput;
    use crate::account::FactorKind;
    use crate::account::tests::{at, entry};
    use crate::id::ReviewId;
    use crate::id::{EntryId, ObservationId, ParticipantId, QuestionId};

    fn account() -> Account {
        let mut a = Account::new(
            ReviewId::parse("r-1").unwrap(),
            ParticipantId::parse("alice").unwrap(),
        );
        a.add_entry(
            EntryId::parse("e1").unwrap(),
            EntryInput {
                knew_or_believed: "thought it was \"DNS\"\\\né".into(),
                ..entry(10, 5, "pager fired")
            },
        )
        .unwrap();
        a.add_observation(
            ObservationId::parse("o1").unwrap(),
            FactorKind::KnowledgeGap,
            "runbook/outdated",
        )
        .unwrap();
        a
    }

    #[test]
    fn canonical_form_version_1_is_pinned() {
        // If this test fails, every commitment recorded before answers existed would stop
        // verifying.
        // The editor no longer accepts a control character, but an account stored before
        // that rule may hold one: its canonical form must still escape it.
        let mut a = account();
        a.entries_mut()[0].knew_or_believed = "thought it was \"DNS\"\\\n\u{1}é".into();
        let expected = concat!(
            r#"{"format":"mosaic-account/1","review_id":"r-1","participant_id":"alice","#,
            r#""entries":[{"id":"e1","at":"2026-11-01T10:05:00Z","what_happened":"pager fired","#,
            r#""knew_or_believed":"thought it was \"DNS\"\\\n\u0001é","what_i_did":""}],"#,
            r#""observations":[{"id":"o1","kind":"knowledge_gap","text":"runbook/outdated"}]}"#,
        );
        assert_eq!(canonical_form_v1(&a), expected);
        // The canonical form is JSON, and its string escaping agrees with serde_json's.
        let value: serde_json::Value = serde_json::from_str(expected).unwrap();
        let knew = &a.entries()[0].knew_or_believed;
        assert_eq!(value["entries"][0]["knew_or_believed"], knew.as_str());
        assert!(expected.contains(&serde_json::to_string(knew).unwrap()));
        // Independently computed with `printf '%s' "$canonical" | sha256sum`.
        assert_eq!(hex::encode(Sha256::digest(expected.as_bytes())), V1_HASH,);
    }

    /// The version 1 commitment of [`account`] with the control character above.
    const V1_HASH: &str = "f3836d1e661819d5a7f86fe343cae307331178de80145e8b7245fa32b812fb49";

    #[test]
    fn canonical_form_is_pinned() {
        // If this test fails, every commitment already recorded would stop verifying: change
        // CANONICAL_FORMAT instead of silently changing the bytes.
        let mut a = account();
        a.set_answer(QuestionId::parse("q1").unwrap(), "the \"pager\"\nthen chat")
            .unwrap();
        a.set_answer(QuestionId::parse("default-4").unwrap(), "Bob's runbook")
            .unwrap();
        let expected = concat!(
            r#"{"format":"mosaic-account/2","review_id":"r-1","participant_id":"alice","#,
            r#""entries":[{"id":"e1","at":"2026-11-01T10:05:00Z","what_happened":"pager fired","#,
            r#""knew_or_believed":"thought it was \"DNS\"\\\né","what_i_did":""}],"#,
            r#""observations":[{"id":"o1","kind":"knowledge_gap","text":"runbook/outdated"}],"#,
            r#""answers":[{"question":"q1","text":"the \"pager\"\nthen chat"},"#,
            r#"{"question":"default-4","text":"Bob's runbook"}]}"#,
        );
        assert_eq!(canonical_form(&a), expected);
        serde_json::from_str::<serde_json::Value>(expected).unwrap();
        // Independently computed with `printf '%s' "$canonical" | sha256sum`.
        assert_eq!(compute(&a), V2_HASH);
        // Without answers, version 2 still differs from version 1: the format names itself.
        let plain = account();
        assert!(canonical_form(&plain).ends_with(r#""answers":[]}"#));
        assert_ne!(canonical_form(&plain), canonical_form_v1(&plain));
    }

    const V2_HASH: &str = "015321332e10aa60389a8115b8827fb04b691ac42ab5cc1dc83bc0f7150817aa";

    #[test]
    fn an_account_sealed_before_answers_still_verifies() {
        // An account as a release before guides stored it: no `answers`, its commitment the
        // version 1 hash.
        let mut a = account();
        a.entries_mut()[0].knew_or_believed = "thought it was \"DNS\"\\\n\u{1}é".into();
        let mut stored = serde_json::to_value(&a).unwrap();
        assert!(stored.get("answers").is_none());
        stored["submitted_at"] = "2026-11-01T12:00:00Z".into();
        stored["commitment"] = V1_HASH.into();
        let old: Account = serde_json::from_value(stored.clone()).unwrap();
        assert!(verify_commitment(&old));
        // Its content changed still fails, as before.
        let mut changed = stored.clone();
        changed["entries"][0]["what_happened"] = "pager fired!".into();
        assert!(!verify_commitment(
            &serde_json::from_value(changed).unwrap()
        ));
        // Answers added to it are not covered by version 1, so it no longer verifies.
        let mut grown = stored;
        grown["answers"] = serde_json::json!([{"question": "q1", "text": "added later"}]);
        assert!(!verify_commitment(&serde_json::from_value(grown).unwrap()));
    }

    #[test]
    fn the_commitment_covers_answers() {
        let q = QuestionId::parse("q1").unwrap();
        let mut a = account();
        a.set_answer(q.clone(), "the pager").unwrap();
        let before = compute(&a);
        // Changing one answer before submitting changes the commitment.
        a.set_answer(q.clone(), "the pager, then chat").unwrap();
        assert_ne!(compute(&a), before);
        let mut removed = a.clone();
        removed.set_answer(q.clone(), "  ").unwrap();
        assert!(removed.answers().is_empty());
        assert_ne!(compute(&removed), compute(&a));
        // Sealed, it verifies; an answer changed afterwards in storage does not.
        a.submit(at(12, 0)).unwrap();
        assert!(verify_commitment(&a));
        assert!(matches!(
            a.set_answer(q, "x"),
            Err(crate::AccountError::Submitted { .. })
        ));
        let mut json = serde_json::to_value(&a).unwrap();
        json["answers"][0]["text"] = "the chat".into();
        assert!(!verify_commitment(&serde_json::from_value(json).unwrap()));
    }

    #[test]
    fn sub_second_times_use_the_fewest_exact_digits() {
        let mut a = Account::new(
            ReviewId::parse("r").unwrap(),
            ParticipantId::parse("p").unwrap(),
        );
        let millis = at(10, 0) + chrono::Duration::milliseconds(250);
        let nanos = at(10, 0) + chrono::Duration::nanoseconds(1);
        for (id, t) in [("a", millis), ("b", nanos)] {
            let input = EntryInput {
                at: Some(t),
                what_happened: "x".into(),
                ..EntryInput::default()
            };
            a.add_entry(EntryId::parse(id).unwrap(), input).unwrap();
        }
        let form = canonical_form(&a);
        assert!(
            form.contains(r#""at":"2026-11-01T10:00:00.000000001Z""#),
            "{form}"
        );
        assert!(
            form.contains(r#""at":"2026-11-01T10:00:00.250Z""#),
            "{form}"
        );
    }

    #[test]
    fn same_account_same_hash_and_any_change_another() {
        let base = account();
        assert_eq!(compute(&base), compute(&account()));
        let mut variants: Vec<Account> = Vec::new();
        let e1 = EntryId::parse("e1").unwrap();
        let o1 = ObservationId::parse("o1").unwrap();
        let edits: Vec<fn(&mut Account, &EntryId, &ObservationId)> = vec![
            |a, e, _| {
                let mut i = a.entry(e).unwrap().to_input();
                i.what_happened.push('!');
                a.update_entry(e, i).unwrap();
            },
            |a, e, _| {
                let mut i = a.entry(e).unwrap().to_input();
                i.knew_or_believed = "knew it".into();
                a.update_entry(e, i).unwrap();
            },
            |a, e, _| {
                let mut i = a.entry(e).unwrap().to_input();
                i.what_i_did = "restarted".into();
                a.update_entry(e, i).unwrap();
            },
            |a, e, _| {
                let mut i = a.entry(e).unwrap().to_input();
                i.at = Some(at(10, 6));
                a.update_entry(e, i).unwrap();
            },
            |a, e, _| a.remove_entry(e).unwrap(),
            |a, _, _| {
                a.add_entry(EntryId::parse("e2").unwrap(), entry(9, 0, "x"))
                    .unwrap()
            },
            |a, _, o| {
                a.update_observation(o, FactorKind::Human, "runbook/outdated")
                    .unwrap()
            },
            |a, _, o| {
                a.update_observation(o, FactorKind::KnowledgeGap, "runbook")
                    .unwrap()
            },
            |a, _, o| a.remove_observation(o).unwrap(),
        ];
        for edit in edits {
            let mut a = account();
            edit(&mut a, &e1, &o1);
            variants.push(a);
        }
        variants.push(Account::new(
            ReviewId::parse("r-2").unwrap(),
            base.participant_id().clone(),
        ));
        let mut hashes: Vec<String> = variants.iter().map(compute).collect();
        hashes.push(compute(&base));
        let count = hashes.len();
        hashes.sort();
        hashes.dedup();
        assert_eq!(hashes.len(), count, "every variant hashes differently");
    }

    #[test]
    fn verification() {
        let mut a = account();
        assert!(!verify_commitment(&a), "a draft has nothing to verify");
        let sealed = a.submit(at(12, 0)).unwrap().to_owned();
        assert_eq!(sealed, compute(&a));
        assert!(verify_commitment(&a));
        // The version and the submission time are not part of the content.
        let json = serde_json::to_value(&a).unwrap();
        let mut moved = json.clone();
        moved["version"] = 99.into();
        moved["submitted_at"] = "2030-01-01T00:00:00Z".into();
        assert!(verify_commitment(&serde_json::from_value(moved).unwrap()));
        // Tampering with the stored content is caught.
        let mut tampered = json;
        tampered["entries"][0]["what_i_did"] = "nothing".into();
        assert!(!verify_commitment(
            &serde_json::from_value(tampered).unwrap()
        ));
    }
}
