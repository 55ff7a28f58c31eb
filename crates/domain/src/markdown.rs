//! Markdown, rendered safely: what people type into a finding becomes HTML that can be put in a
//! page or a feed reader without running anything or loading anything.
//!
//! [`to_html`] renders CommonMark (with tables and strikethrough) through `pulldown-cmark`,
//! with three changes to what it would emit:
//! - raw HTML, block or inline (comments included), is shown as text, escaped;
//! - a link keeps its destination only if it is `http:`, `https:` or `mailto:`, or has no scheme
//!   at all (a relative link); any other (`javascript:`, `data:`, `vbscript:`, …) leaves the
//!   link's text as plain text. The scheme is judged the way a browser reads it: entities
//!   decoded (the parser does that), case ignored, and spaces and control characters removed;
//! - an image becomes a link to it, under the same rule, so showing a finding never loads
//!   anything from elsewhere.
//!
//! Heading attributes, footnotes, maths and metadata blocks are off: none of them can then add an
//! attribute or an `id` to the page.
//!
//! [`to_plain`] is the text alone, for excerpts and for the search index.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// The Markdown extensions findings may use; every other one stays off (see the module docs).
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// `src` (CommonMark) as HTML that is safe to insert into a page: no raw HTML, no script or
/// data links, no images loaded (see the module docs).
pub fn to_html(src: &str) -> String {
    let mut out = String::with_capacity(src.len() * 3 / 2);
    html::push_html(&mut out, Safe::new(Parser::new_ext(src, options())));
    out
}

/// The text of `src` without its Markdown: blocks on lines of their own, soft line breaks as
/// spaces, link and image destinations left out. Raw HTML is kept as the text it is shown as.
pub fn to_plain(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let block_end = |out: &mut String| {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    };
    for event in Parser::new_ext(src, options()) {
        match event {
            Event::Text(text)
            | Event::Code(text)
            | Event::Html(text)
            | Event::InlineHtml(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text) => out.push_str(&text),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::TableHead
                | TagEnd::TableRow,
            )
            | Event::Rule => block_end(&mut out),
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// Whether a link to `dest` (entities already decoded) may be followed: `http`, `https`,
/// `mailto`, or no scheme at all.
fn safe_destination(dest: &str) -> bool {
    // Browsers drop ASCII tabs and newlines anywhere in a URL and trim spaces and control
    // characters at its ends; removing every one of them (and any other whitespace or control
    // character) reads the scheme at least as generously as any browser does.
    let cleaned: String = dest
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let scheme_end = cleaned.find([':', '/', '?', '#']);
    match scheme_end {
        // A `/`, `?` or `#` before any `:`: a path, query or fragment, so relative.
        Some(i) if cleaned[i..].starts_with(':') => {
            let scheme = cleaned[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// The parser's events with raw HTML turned into text, unsafe links into their text, and images
/// into links.
struct Safe<I> {
    inner: I,
    /// For each link or image open: whether its start was kept (so its end must be too).
    open: Vec<bool>,
}

impl<I> Safe<I> {
    fn new(inner: I) -> Self {
        Self {
            inner,
            open: Vec::new(),
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Safe<I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let event = self.inner.next()?;
            return Some(match event {
                // Shown as what was typed: the writer escapes text.
                Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
                // An HTML block's lines become a paragraph of text.
                Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
                Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let keep = safe_destination(&dest_url);
                    self.open.push(keep);
                    if !keep {
                        continue;
                    }
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                }
                Event::Start(Tag::Image {
                    dest_url,
                    title,
                    id,
                    ..
                }) => {
                    let keep = safe_destination(&dest_url);
                    self.open.push(keep);
                    if !keep {
                        continue;
                    }
                    Event::Start(Tag::Link {
                        link_type: LinkType::Inline,
                        dest_url,
                        title,
                        id,
                    })
                }
                Event::End(TagEnd::Link | TagEnd::Image) => {
                    if !self.open.pop().unwrap_or(false) {
                        continue;
                    }
                    Event::End(TagEnd::Link)
                }
                other => other,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Markdown in, the exact HTML out.
    fn check(src: &str, expected: &str) {
        assert_eq!(to_html(src), expected, "{src:?}");
    }

    #[test]
    fn markdown_renders() {
        check("Hello *world*", "<p>Hello <em>world</em></p>\n");
        check(
            "# Pool\n\n- one\n- **two**\n",
            "<h1>Pool</h1>\n<ul>\n<li>one</li>\n<li><strong>two</strong></li>\n</ul>\n",
        );
        check(
            "`a < b` ~~gone~~",
            "<p><code>a &lt; b</code> <del>gone</del></p>\n",
        );
        check(
            "| a | b |\n|---|---|\n| 1 | 2 |\n",
            "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>\n\
             <tr><td>1</td><td>2</td></tr>\n</tbody></table>\n",
        );
    }

    #[test]
    fn safe_links_are_kept() {
        check(
            "[runbook](https://wiki.example/Run?x=1&y=2 \"The runbook\")",
            "<p><a href=\"https://wiki.example/Run?x=1&amp;y=2\" title=\"The runbook\">runbook</a></p>\n",
        );
        check(
            "<https://example.com/a>",
            "<p><a href=\"https://example.com/a\">https://example.com/a</a></p>\n",
        );
        check(
            "<sre@example.com>",
            "<p><a href=\"mailto:sre@example.com\">sre@example.com</a></p>\n",
        );
        check(
            "[mail](MAILTO:sre@example.com) [rel](../reviews/r-1) [frag](#x) [q](?a=b:c)",
            "<p><a href=\"MAILTO:sre@example.com\">mail</a> <a href=\"../reviews/r-1\">rel</a> \
             <a href=\"#x\">frag</a> <a href=\"?a=b:c\">q</a></p>\n",
        );
        check(
            "[ref][1]\n\n[1]: http://example.com/ref",
            "<p><a href=\"http://example.com/ref\">ref</a></p>\n",
        );
    }

    #[test]
    fn images_become_links() {
        check(
            "![the graph](https://grafana.example/g.png)",
            "<p><a href=\"https://grafana.example/g.png\">the graph</a></p>\n",
        );
        check("![x](javascript:alert(1))", "<p>x</p>\n");
        check(
            "[![badge](https://b.example/b.svg)](https://example.com)",
            "<p><a href=\"https://example.com\"><a href=\"https://b.example/b.svg\">badge</a></a></p>\n",
        );
    }

    #[test]
    fn raw_html_is_text() {
        check(
            "<script>alert(1)</script>",
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n",
        );
        check(
            "a <b onclick=\"x()\">bold</b>",
            "<p>a &lt;b onclick=\"x()\"&gt;bold&lt;/b&gt;</p>\n",
        );
        check(
            "<!-- hidden -->\n\nshown",
            "<p>&lt;!-- hidden --&gt;\n</p>\n<p>shown</p>\n",
        );
    }

    #[test]
    fn plain_text_drops_the_markup() {
        let plain = |src: &str| to_plain(src);
        assert_eq!(plain("Hello *world*,\nagain"), "Hello world, again");
        assert_eq!(
            plain("# Pool\n\n- one\n- [two](https://x.example)\n"),
            "Pool\none\ntwo"
        );
        assert_eq!(plain("![graph](g.png) `code`"), "graph code");
        assert_eq!(plain("a <b>c</b>"), "a <b>c</b>");
        assert_eq!(plain("| a | b |\n|---|---|\n| 1 | 2 |"), "a b \n1 2");
        assert_eq!(plain(""), "");
    }

    #[test]
    fn schemes_are_read_as_a_browser_would() {
        for safe in [
            "https://x",
            "HTTP://x",
            "mailto:a@b",
            "/abs",
            "rel/a:b",
            "",
            "#top",
        ] {
            assert!(safe_destination(safe), "{safe:?}");
        }
        for unsafe_ in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:x",
            "java\tscript:x",
            "java\nscript:x",
            "java\u{0}script:x",
            "\u{1}javascript:x",
            "data:text/html,<script>",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "ftp://x",
            "x:y",
        ] {
            assert!(!safe_destination(unsafe_), "{unsafe_:?}");
        }
    }

    /// Attacks on the renderer: every one must come out with no element, attribute or link that
    /// could run script or load anything.
    const XSS: &[&str] = &[
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<img src=x onerror=alert(1)//",
        "text <img src=x onerror=alert(1)> inline",
        "<svg/onload=alert(1)>",
        "<body onload=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<div style=\"background:url(javascript:alert(1))\">",
        "<!-- <script>alert(1)</script> -->",
        "<!--> <img src=x onerror=alert(1)> -->",
        "<style>@import 'javascript:alert(1)'</style>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<details open ontoggle=alert(1)>",
        "<input autofocus onfocus=alert(1)>",
        "[a](javascript:alert(1))",
        "[a](JaVaScRiPt:alert(1))",
        "[a](javascript&#58;alert(1))",
        "[a](&#106;avascript:alert(1))",
        "[a](&#x6A;&#x61;vascript:alert(1))",
        "[a](javascript&colon;alert(1))",
        "[a](java&#9;script:alert(1))",
        "[a](java&#10;script:alert(1))",
        "[a](<java script:alert(1)>)",
        "[a](<javascript:alert(1)> \"t\")",
        "[a]( javascript:alert(1))",
        "[a](vbscript:msgbox(1))",
        "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[a](DATA:text/html,<script>alert(1)</script>)",
        "[a](\"onmouseover=alert(1))",
        "[a](https://x.example \"\\\" onmouseover=\\\"alert(1)\")",
        "[a](https://x.example\" onmouseover=\"alert(1))",
        "<javascript:alert(1)>",
        "<JAVASCRIPT:alert(1)>",
        "<data:text/html,x>",
        "[ref]\n\n[ref]: javascript:alert(1)",
        "[ref][r]\n\n[r]: &#x6A;avascript:alert(1) \"title\"",
        "![x](javascript:alert(1))",
        "![x](https://x.example/a.png\" onerror=\"alert(1))",
        "![x\" onerror=\"alert(1)](https://x.example/a.png)",
        "![x](data:image/svg+xml,<svg onload=alert(1)>)",
        "[![x](javascript:alert(1))](javascript:alert(2))",
        "[x](javascript:alert(1))[y](https://ok.example)",
        "<a href='https://ok.example' onclick='alert(1)'>x</a>",
        "**<em onmouseover=alert(1)>x</em>**",
        "`<script>`alert(1)",
        "```\n<script>alert(1)</script>\n```",
        "    <script>alert(1)</script>",
        "> <script>alert(1)</script>",
        "- <script>alert(1)</script>",
        "| <img src=x onerror=alert(1)> |\n|---|\n| <script>x</script> |",
        "<?php echo 1 ?>",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<!DOCTYPE html><html><body onload=alert(1)>",
        "# Heading {onclick=alert(1)}",
        "x[^1]\n\n[^1]: <script>alert(1)</script>",
        "$<img src=x onerror=alert(1)>$",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ];

    /// The tags the renderer may emit: none can run script or load anything.
    const ALLOWED_TAGS: &[&str] = &[
        "p",
        "a",
        "em",
        "strong",
        "code",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "hr",
        "br",
        "del",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ];

    /// Every tag in `html`, as (name, attributes text). Text never holds a raw `<`: the writer
    /// escapes it, which [`assert_inert`] relies on and checks.
    fn tags(html: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            let after = &rest[start + 1..];
            let end = after.find('>').expect("every tag closes");
            let tag = &after[..end];
            let tag = tag.strip_prefix('/').unwrap_or(tag);
            let tag = tag.strip_suffix('/').unwrap_or(tag).trim();
            let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
            found.push((name.to_owned(), attrs.to_owned()));
            rest = &after[end + 1..];
        }
        found
    }

    /// Asserts that `html` has only allowed tags, no `on…` attribute, only `href` attributes
    /// with a safe scheme (and `title`), and no raw `<script`.
    fn assert_inert(src: &str, html: &str) {
        let lower = html.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{src:?} → {html}");
        for (name, attrs) in tags(html) {
            assert!(
                ALLOWED_TAGS.contains(&name.as_str()),
                "<{name}> in {src:?} → {html}"
            );
            // Attribute values are quoted by the writer and never contain a raw `"`.
            let mut rest = attrs.as_str();
            while let Some(eq) = rest.find("=\"") {
                let attr = rest[..eq].trim().to_ascii_lowercase();
                let value_end = rest[eq + 2..].find('"').expect("quoted value");
                let value = &rest[eq + 2..eq + 2 + value_end];
                assert!(
                    attr == "href" || attr == "title",
                    "attribute {attr} in {src:?} → {html}"
                );
                assert!(!attr.starts_with("on"), "{src:?} → {html}");
                if attr == "href" {
                    let value = value.replace("&amp;", "&");
                    assert!(safe_destination(&value), "href {value:?} in {src:?}");
                    let squashed: String = value
                        .to_ascii_lowercase()
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == ':')
                        .collect();
                    for bad in ["javascript:", "vbscript:", "data:"] {
                        assert!(!squashed.starts_with(bad), "{src:?} → {html}");
                    }
                }
                rest = &rest[eq + 2 + value_end + 1..];
            }
            assert!(rest.trim().is_empty(), "bare attribute in {src:?} → {html}");
        }
    }

    #[test]
    fn the_xss_corpus_renders_inert() {
        for src in XSS {
            assert_inert(src, &to_html(src));
            // Embedded in a longer document, and with a prefix that changes block parsing.
            let wrapped = format!("Before.\n\n{src}\n\nAfter *this*.");
            assert_inert(&wrapped, &to_html(&wrapped));
            let inline = format!("text {src}");
            assert_inert(&inline, &to_html(&inline));
        }
    }

    #[test]
    fn unsafe_links_keep_their_text() {
        check("[click](javascript:alert(1))", "<p>click</p>\n");
        check(
            "[a](java&#9;script:alert(1)) and [b](https://ok.example)",
            "<p>a and <a href=\"https://ok.example\">b</a></p>\n",
        );
        check("<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n");
    }
}
