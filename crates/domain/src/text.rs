//! Words: the one tokenizer that the coach, link suggestions and anonymisation share, so "a word"
//! means the same thing everywhere. Hand-rolled rather than a regex crate, to keep the
//! WebAssembly download small.

use crate::validation::ValidationError;
use std::collections::BTreeSet;
use std::ops::Range;

/// The longest free text of one field (an entry, an observation, an answer), in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// The longest team or service name, in characters.
pub const MAX_NAME_CHARS: usize = 80;

/// The control characters text may hold: tab, newline and carriage return. Every other C0
/// control (U+0000 to U+001F) is refused wherever text enters a review: it has no meaning in a
/// review, PostgreSQL cannot store U+0000 in `jsonb`, and some hide text from a reader.
pub fn forbidden_char(s: &str) -> Option<char> {
    s.chars()
        .find(|&c| c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
}

/// The message for text holding `c`, shared by every check so the words are the same.
fn forbidden_message(c: char) -> String {
    format!(
        "must not contain the control character U+{:04X}; only tab, newline and carriage return are allowed",
        u32::from(c)
    )
}

/// Records a problem under `field` if `raw` holds a forbidden control character.
pub(crate) fn check_chars(errors: &mut Vec<ValidationError>, field: &str, raw: &str) {
    if let Some(c) = forbidden_char(raw) {
        errors.push(ValidationError::new(field, forbidden_message(c)));
    }
}

/// The first string (or object key) in the JSON text `json` holding a forbidden control
/// character, as an error naming where it is (`op.facts.title`, `entries[2].what_happened`); in
/// the order the text has them. A request body is checked with this before anything reads it,
/// so no such text reaches a rule or a database. Read as it streams, never made a
/// `serde_json::Value` (whose reader the browser would otherwise download to check an op);
/// `None` for text that is not JSON (there is no text in it to refuse).
pub fn forbidden_in_json(json: &str) -> Option<ValidationError> {
    use serde::de::DeserializeSeed;
    let mut walk = Walk {
        path: String::new(),
        found: None,
    };
    let mut reader = serde_json::Deserializer::from_str(json);
    (&mut walk).deserialize(&mut reader).ok()?;
    walk.found
}

/// Where [`forbidden_in_json`] is in the text, and what it found.
struct Walk {
    path: String,
    found: Option<ValidationError>,
}

impl Walk {
    fn check(&mut self, text: &str, key: bool) {
        if self.found.is_some() {
            return;
        }
        let Some(c) = forbidden_char(text) else {
            return;
        };
        let field = if key {
            let dot = if self.path.is_empty() { "" } else { "." };
            format!("{}{dot}{}", self.path, text.escape_debug())
        } else if self.path.is_empty() {
            "body".to_owned()
        } else {
            self.path.clone()
        };
        self.found = Some(ValidationError::new(field, forbidden_message(c)));
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for &mut Walk {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, reader: D) -> Result<(), D::Error> {
        reader.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for &mut Walk {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_str<E>(self, text: &str) -> Result<(), E> {
        self.check(text, false);
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        for i in 0.. {
            let len = self.path.len();
            self.path.push_str(&format!("[{i}]"));
            let more = items.next_element_seed(&mut *self)?;
            self.path.truncate(len);
            if more.is_none() {
                break;
            }
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut fields: A) -> Result<(), A::Error> {
        while let Some(key) = fields.next_key::<String>()? {
            self.check(&key, true);
            let len = self.path.len();
            if !self.path.is_empty() {
                self.path.push('.');
            }
            self.path.push_str(&key);
            fields.next_value_seed(&mut *self)?;
            self.path.truncate(len);
        }
        Ok(())
    }
}

/// Whether JSON that serde_json wrote holds a forbidden control character in a string or key.
/// serde_json writes every control character escaped (`\b`, `\f`, `\u0001`; tab, newline and
/// carriage return as `\t`, `\n`, `\r`), so this scans for those escapes without reading the
/// JSON back; [`forbidden_in_json`] then says where the character is, when there is one.
pub(crate) fn json_has_forbidden_char(json: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&byte) = json.get(i) {
        match byte {
            // Not in serde_json's output; refused all the same.
            ..b' ' => return true,
            b'\\' => match json.get(i + 1) {
                Some(b'b' | b'f') => return true,
                Some(b'u') => {
                    let code = json
                        .get(i + 2..i + 6)
                        .and_then(|hex| std::str::from_utf8(hex).ok())
                        .and_then(|hex| u32::from_str_radix(hex, 16).ok());
                    if code.is_some_and(|c| c < 0x20 && !matches!(c, 0x09 | 0x0A | 0x0D)) {
                        return true;
                    }
                    i += 6;
                }
                _ => i += 2,
            },
            _ => i += 1,
        }
    }
    false
}

/// What separates a word from the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gap {
    /// The word is the first of the text.
    Start,
    /// Only spaces or tabs: the two words belong to one phrase.
    Space,
    /// Other punctuation, such as a comma or a bracket: same sentence, different phrase.
    Punct,
    /// A sentence or line break: `.`, `!`, `?`, `;`, `:` or a newline.
    Sentence,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Word<'a> {
    /// Byte range in the original text.
    pub range: Range<usize>,
    /// The word as written.
    pub text: &'a str,
    /// Lowercase, with typographic apostrophes (’) made straight ('), so patterns need one
    /// spelling.
    pub lower: String,
    pub gap: Gap,
}

impl Word<'_> {
    /// The word without a possessive `'s`: "Alice's" → "alice".
    pub fn stem(&self) -> &str {
        self.lower.strip_suffix("'s").unwrap_or(&self.lower)
    }

    /// Byte range of [`Word::stem`] in the original text.
    pub fn stem_range(&self) -> Range<usize> {
        let cut = self.lower.len() - self.stem().len();
        // `'s` and `’s` differ in byte length; both are one apostrophe and an `s` in `text`.
        let tail = if cut == 0 {
            0
        } else if self.text.ends_with("’s") || self.text.ends_with("’S") {
            "’s".len()
        } else {
            2
        };
        self.range.start..self.range.end - tail
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-')
}

/// Splits `text` into words: runs of letters, digits and `_`, where an apostrophe or a hyphen
/// between two such characters joins them ("didn't", "on-call", "non-obvious" are one word each).
pub(crate) fn words(text: &str) -> Vec<Word<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut gap = Gap::Start;
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if !is_word_char(c) {
            gap = match (gap, c) {
                (Gap::Start, _) => Gap::Start,
                (_, '.' | '!' | '?' | ';' | ':' | '\n' | '\r') | (Gap::Sentence, _) => {
                    Gap::Sentence
                }
                (_, c) if c.is_whitespace() => gap,
                _ => Gap::Punct,
            };
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() {
            let c = chars[j].1;
            let joined = is_joiner(c) && chars.get(j + 1).is_some_and(|&(_, n)| is_word_char(n));
            if is_word_char(c) {
                j += 1;
            } else if joined {
                j += 2;
            } else {
                break;
            }
        }
        let end = chars.get(j).map_or(text.len(), |&(e, _)| e);
        let word = &text[at..end];
        out.push(Word {
            range: at..end,
            text: word,
            lower: lower(word),
            gap,
        });
        gap = Gap::Space;
        i = j;
    }
    out
}

/// `s` in lower case, by Unicode's rules (names and words in any language compare alike).
///
/// In the browser the browser's own `toLowerCase` does it: Rust's `str::to_lowercase` carries
/// Unicode's lower-case table (about 12 KB of WebAssembly), which every review page downloaded
/// for the few comparisons that need it. Plain ASCII never leaves Rust.
pub fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    return js_sys::JsString::from(s).to_lower_case().into();
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    s.to_lowercase()
}

/// `word` in lower case with a typographic apostrophe made plain. One allocation, none of
/// Unicode's case tables for plain ASCII: the coach reads every word of every field shown.
fn lower(word: &str) -> String {
    let lower = lowercase(word);
    if lower.contains('’') {
        lower.replace('’', "'")
    } else {
        lower
    }
}

/// Words too common to say whether two sentences describe the same thing.
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "being", "but", "by", "can", "could", "did", "do", "does", "for", "from",
    "had", "has", "have", "he", "her", "him", "his", "i", "if", "in", "into", "is", "it", "its",
    "just", "me", "my", "no", "not", "now", "of", "on", "or", "our", "out", "she", "so", "some",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "up", "us",
    "was", "we", "were", "what", "when", "which", "while", "who", "will", "with", "would", "you",
    "your",
];

pub(crate) fn is_stopword(lower: &str) -> bool {
    STOPWORDS.contains(&lower)
}

/// The distinct meaningful words of `text`: lowercase, possessives stripped, stopwords dropped.
pub(crate) fn content_words(text: &str) -> BTreeSet<String> {
    words(text)
        .iter()
        .map(|w| w.stem().to_owned())
        .filter(|w| !is_stopword(w))
        .collect()
}

/// |a ∩ b| / |a ∪ b|, and 0 when both are empty.
pub(crate) fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// Lowercase, one space between words, no punctuation: "Thought it was DNS." and "thought it
/// was dns" normalise alike.
pub(crate) fn normalise(text: &str) -> String {
    words(text)
        .iter()
        .map(|w| w.lower.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where the words `needle` occur in `hay` as a run of words within one phrase (only spaces
/// between them), each compared by `eq`. Returns the index in `hay` of each match's first word.
/// The coach's plain reference: its rule table finds the same runs in one pass.
#[cfg(test)]
pub(crate) fn find_runs(
    hay: &[Word<'_>],
    needle: &[&str],
    eq: impl Fn(&Word<'_>, &str) -> bool,
) -> Vec<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return Vec::new();
    }
    (0..=hay.len() - needle.len())
        .filter(|&start| {
            needle.iter().enumerate().all(|(k, n)| {
                let w = &hay[start + k];
                (k == 0 || w.gap == Gap::Space) && eq(w, n)
            })
        })
        .collect()
}

/// Trims `raw` and checks its length and characters, recording any problem under `field`.
pub(crate) fn long(
    errors: &mut Vec<ValidationError>,
    field: &str,
    raw: &str,
    required: bool,
) -> String {
    let s = raw.trim();
    check_chars(errors, field, s);
    if required && s.is_empty() {
        errors.push(ValidationError::new(field, "is required"));
    } else if s.chars().count() > MAX_TEXT_CHARS {
        errors.push(ValidationError::new(
            field,
            format!("must be at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    s.to_owned()
}

/// Trims a required name-like field and checks its length.
pub(crate) fn short(errors: &mut Vec<ValidationError>, field: &str, raw: &str) -> String {
    let s = raw.trim();
    check_chars(errors, field, s);
    if s.is_empty() {
        errors.push(ValidationError::new(field, "is required"));
    } else if s.chars().count() > MAX_NAME_CHARS {
        errors.push(ValidationError::new(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    s.to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_in_any_language_lower_case_by_unicode_s_rules() {
        for (text, lower) in [
            ("Ada SRE", "ada sre"),
            ("ZOË ÅNGSTRÖM", "zoë ångström"),
            ("ÉQUIPE", "équipe"),
            ("ΟΔΥΣΣΕΥΣ", "οδυσσευς"),
            ("İstanbul", "i\u{307}stanbul"),
            ("", ""),
        ] {
            assert_eq!(super::lowercase(text), lower, "{text}");
        }
    }

    #[test]
    fn the_json_scan_finds_what_the_character_rule_refuses() {
        let texts = (0..=0x2FF_u32)
            .filter_map(char::from_u32)
            .map(|c| format!("a{c}b"))
            .chain(
                [
                    "\\b",
                    "\\f",
                    "\\u0001",
                    "C:\\new\\table",
                    "tab\there\r\n",
                    "\\\u{1}",
                    "\u{1b}[31m",
                    "",
                ]
                .map(String::from),
            );
        for text in texts {
            let refused = forbidden_char(&text).is_some();
            let as_value = serde_json::to_vec(&text).unwrap();
            let as_key =
                serde_json::to_vec(&std::collections::BTreeMap::from([(&text, 1)])).unwrap();
            assert_eq!(
                super::json_has_forbidden_char(&as_value),
                refused,
                "{text:?}"
            );
            assert_eq!(
                super::json_has_forbidden_char(&as_key),
                refused,
                "{text:?} as a key"
            );
        }
    }

    use super::*;

    fn check(text: &str, expected: &str) {
        let actual = words(text)
            .iter()
            .map(|w| {
                let gap = match w.gap {
                    Gap::Start => "",
                    Gap::Space => " ",
                    Gap::Punct => ", ",
                    Gap::Sentence => ". ",
                };
                format!("{gap}[{}]", &text[w.range.clone()])
            })
            .collect::<String>();
        assert_eq!(actual, expected, "{text:?}");
    }

    #[test]
    fn words_and_gaps() {
        check("I didn't", "[I] [didn't]");
        check("the on-call's pager", "[the] [on-call's] [pager]");
        check(
            "Bob’s  laptop, then: reboot",
            "[Bob’s] [laptop], [then]. [reboot]",
        );
        check("'quoted' -- dash-", "[quoted], [dash]");
        check("line\nbreak", "[line]. [break]");
        check("10:05 é", "[10]. [05] [é]");
        check("", "");
    }

    #[test]
    fn words_are_lowered_as_unicode_lowers_them() {
        for word in ["Bob", "ÉCOLE", "Bob’S", "ΣΑΣ", "on-call", "İstanbul", "x"] {
            assert_eq!(lower(word), word.to_lowercase().replace('’', "'"), "{word}");
        }
    }

    #[test]
    fn stems_drop_possessives_in_either_apostrophe() {
        for text in ["Alice's", "Alice’s"] {
            let w = &words(text)[0];
            assert_eq!(w.stem(), "alice");
            assert_eq!(&text[w.stem_range()], "Alice");
        }
    }

    #[test]
    fn content_words_and_similarity() {
        let a = content_words("The pager fired for checkout latency");
        let b = content_words("pager fired: checkout p99 high");
        assert_eq!(
            a.iter().map(String::as_str).collect::<Vec<_>>(),
            ["checkout", "fired", "latency", "pager"]
        );
        assert_eq!(jaccard(&a, &b), 3.0 / 6.0);
        assert_eq!(jaccard(&BTreeSet::new(), &BTreeSet::new()), 0.0);
        assert_eq!(normalise("  Thought it was DNS. "), "thought it was dns");
    }

    #[test]
    fn only_tab_newline_and_return_among_controls() {
        for ok in [
            "plain",
            "tab\there",
            "lines\r\nand\n",
            "é ✓ \u{7f} \u{200b}",
        ] {
            assert_eq!(forbidden_char(ok), None, "{ok:?}");
        }
        for (bad, c) in [
            ("a\0b", '\0'),
            ("\u{1}", '\u{1}'),
            ("x\u{1b}[31m", '\u{1b}'),
        ] {
            assert_eq!(forbidden_char(bad), Some(c), "{bad:?}");
        }
    }

    #[test]
    fn forbidden_text_is_found_with_its_path() {
        let value =
            serde_json::json!({"op": {"facts": {"title": "ok", "services": ["a", "b\u{0}"]}}});
        let e = forbidden_in_json(&value.to_string()).unwrap();
        assert_eq!(e.field, "op.facts.services[1]");
        assert!(e.message.contains("U+0000"), "{}", e.message);
        let fine = serde_json::json!({"a": ["\t\n", 1, -2, 0.5, true, null, {}, []]});
        assert_eq!(forbidden_in_json(&fine.to_string()), None);
        let key = serde_json::json!({"k\u{7}": 1});
        assert_eq!(
            forbidden_in_json(&key.to_string()).unwrap().field,
            "k\\u{7}"
        );
        let nested_key = serde_json::json!({"a": [{"k\u{7}": 1}]});
        assert_eq!(
            forbidden_in_json(&nested_key.to_string()).unwrap().field,
            "a[0].k\\u{7}"
        );
        // The first in the text, whatever comes after; a bare string is the body.
        let two = r#"{"b":"x\u0001","a":"y\u0002","c":1}"#;
        assert_eq!(forbidden_in_json(two).unwrap().field, "b");
        assert!(forbidden_in_json(two).unwrap().message.contains("U+0001"));
        assert_eq!(forbidden_in_json(r#""\u0003""#).unwrap().field, "body");
        assert_eq!(forbidden_in_json("not json"), None);
    }
}
