//! Spec text (Markdown from Alibaba's docs, or anything an untrusted spec holds) turned into
//! rustdoc that renders as the author meant and that `cargo doc -D warnings` accepts.
//!
//! Doc comments are emitted as `#[doc = "…"]` string literals, so no text can end a comment or
//! inject code; what remains is Markdown that rustdoc would misread: indented or untagged code
//! blocks (compiled as doctests), HTML tags, `[text]` taken for intra-doc links, bare URLs,
//! and Alibaba's doc-center links `[Text](~~12345~~)`, which point nowhere outside its site.

use proc_macro2::TokenStream;
use quote::quote;

/// Doc attributes for `text`, one per line.
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #[doc = #lines] )* }
}

/// Inner doc attributes (`//!`) for `text`, one per line: module and crate documentation.
pub fn inner_doc_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #![doc = #lines] )* }
}

/// Lines as rustdoc expects them after `///`: a leading space, none on blank lines.
fn doc_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            }
        })
        .collect()
}

/// Joins paragraphs with blank lines, skipping empty ones.
pub fn paragraphs<I, S>(parts: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    parts
        .into_iter()
        .map(|part| part.as_ref().trim().to_owned())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// `text` as inline code, with a fence longer than any backtick run inside it.
pub fn inline_code(text: &str) -> String {
    let clean = strip_controls(text).replace('\n', " ");
    let longest = clean.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if clean.starts_with('`') || clean.ends_with('`') || clean.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

/// Markdown from a spec, made safe for rustdoc.
pub fn sanitize(markdown: &str) -> String {
    let text = rewrite_doc_center_links(&strip_controls(markdown));
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    for raw_line in text.lines() {
        let line = raw_line.trim_end();
        let trimmed = line.trim_start();
        if let Some(open) = fence.clone() {
            if closes_fence(trimmed, &open) {
                fence = None;
                out.push(open);
            } else {
                out.push(line.to_owned());
            }
            continue;
        }
        if let Some(run) = fence_opening(trimmed) {
            fence = Some(run.to_owned());
            // Untagged blocks would be compiled as Rust doctests.
            out.push(format!("{run}text"));
            continue;
        }
        // Leading indentation would turn prose into an (untagged, compiled) code block, and so
        // would wide gaps after a quote or list marker.
        out.push(escape_line(&close_marker_gaps(trimmed)));
    }
    if let Some(open) = fence {
        out.push(open);
    }
    let joined = indent_continuations(&tighten_lists(&out)).join("\n");
    joined.trim_matches('\n').to_owned()
}

/// The run of three or more backticks or tildes with which `trimmed` opens a fenced code block,
/// if it opens one.
fn fence_opening(trimmed: &str) -> Option<&str> {
    let marker = trimmed.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let run = trimmed.len() - trimmed.trim_start_matches(marker).len();
    (run >= 3).then(|| &trimmed[..run])
}

/// Whether `trimmed` closes a fence opened with `open`: CommonMark closes on a line of the
/// fence's character at least as long as the opening, with nothing after but spaces.
fn closes_fence(trimmed: &str, open: &str) -> bool {
    let fence_char = open.chars().next().expect("fences are not empty");
    let run = trimmed.chars().take_while(|c| *c == fence_char).count();
    run >= open.chars().count() && trimmed[run * fence_char.len_utf8()..].trim().is_empty()
}

/// Block-quote markers (`>`) and list markers (`-`, `1.`) followed by one space, not several:
/// CommonMark reads four or more spaces there as an indented code block, which rustdoc
/// compiles as a doctest.
fn close_marker_gaps(line: &str) -> std::borrow::Cow<'_, str> {
    let mut rest = line;
    let mut prefix = String::new();
    loop {
        if let Some(after) = rest.strip_prefix('>') {
            prefix.push_str("> ");
            rest = after.trim_start();
            continue;
        }
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let marker = if ["- ", "* ", "+ "].iter().any(|m| rest.starts_with(m)) {
            1
        } else if digits > 0
            && (rest[digits..].starts_with(". ") || rest[digits..].starts_with(") "))
        {
            digits + 1
        } else {
            0
        };
        if marker > 0 && rest[marker..].starts_with("  ") {
            prefix.push_str(&rest[..marker]);
            prefix.push(' ');
            rest = rest[marker..].trim_start();
            continue;
        }
        break;
    }
    if prefix.is_empty() {
        std::borrow::Cow::Borrowed(line)
    } else {
        prefix.push_str(rest);
        std::borrow::Cow::Owned(prefix)
    }
}

/// Spec text for a place that holds one line (a summary after the operation's name, a title):
/// sanitized, on one line, so no fence or block can start in it.
pub fn one_line(markdown: &str) -> String {
    let text = sanitize(markdown);
    // A code block's lines are not escaped (they are code); on one line they would be prose,
    // where `<b>` is an unclosed HTML tag to rustdoc, so each becomes inline code. Found by
    // `cargo xtask compile-batch`.
    let mut fence: Option<String> = None;
    let mut parts = Vec::new();
    for line in text.lines().map(str::trim) {
        match &fence {
            Some(open) if closes_fence(line, open) => fence = None,
            // Inline code as it is: a zero-width space would break its own backtick fence.
            Some(_) if !line.is_empty() => parts.push(inline_code(line)),
            Some(_) => {}
            None if let Some(run) = fence_opening(line) => fence = Some(run.to_owned()),
            // A run of three backticks or tildes is a fence only at the start of a line,
            // where none of this text goes. It stays as written: a zero-width space inside a
            // backtick run changed which runs pair into code spans, leaving text that
            // sanitize had put inside one (a URL, `[a][b]`) outside (found by compile-batch).
            None if !line.is_empty() => parts.push(line.to_owned()),
            None => {}
        }
    }
    parts.join(" ")
}

/// The first paragraph of sanitized text, with whatever it introduces: a paragraph ending in
/// a colon ("Valid values:") runs on to the next block (the list), so a summary never ends
/// where its list should start.
pub fn first_paragraph(text: &str) -> &str {
    let mut end = 0;
    for block in text.split("\n\n") {
        end += block.len();
        // Blank lines in a row leave empty blocks between a colon and its list.
        let introduces = block.trim().is_empty() || block.trim_end().ends_with(':');
        if !introduces {
            break;
        }
        end += 2;
    }
    text[..end.min(text.len())].trim_end()
}

/// Whether a line starts a Markdown list item (`- `, `* `, `+ `, `1. `).
fn is_list_item(line: &str) -> bool {
    let line = line.trim_start();
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && line[digits..].starts_with(". ")
}

/// Drops the blank lines between list items: Alibaba's docs write every list loose (a blank
/// line between items), which renders the same as a tight list but takes twice the lines.
fn tighten_lists(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut in_fence = false;
    for (index, line) in lines.iter().enumerate() {
        if fence_opening(line.trim_start()).is_some() {
            in_fence = !in_fence;
        }
        let between_items = !in_fence
            && line.trim().is_empty()
            && out.last().is_some_and(|previous| is_list_item(previous))
            && lines.get(index + 1).is_some_and(|next| is_list_item(next));
        if !between_items {
            out.push(line.clone());
        }
    }
    out
}

/// Indents the lines that continue a list item's paragraph to the item's text (and marks those
/// continuing a block quote with `>`). Unindented,
/// CommonMark still joins them to the item ("lazy continuation"), but clippy's
/// `doc_lazy_continuation` refuses them, and every line of spec text is flush left by now.
/// Found by `cargo xtask compile-batch`. Lines that end the item instead (a heading, a quote,
/// a fence, a thematic break) are left alone, so nothing changes meaning.
fn indent_continuations(lines: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut item_indent: Option<usize> = None;
    let mut in_quote = false;
    let mut in_fence = false;
    for line in lines {
        let trimmed = line.trim_start();
        let fence = fence_opening(trimmed).is_some();
        if fence {
            in_fence = !in_fence;
        }
        if in_fence || fence || trimmed.is_empty() {
            (item_indent, in_quote) = (None, false);
            out.push(line.clone());
        } else if trimmed.starts_with('>') {
            (item_indent, in_quote) = (None, true);
            out.push(line.clone());
        } else if interrupts_paragraph(trimmed) {
            (item_indent, in_quote) = (None, false);
            out.push(line.clone());
        } else if is_list_item(trimmed) {
            let marker = trimmed.find(' ').unwrap_or(0);
            item_indent = Some(line.len() - trimmed.len() + marker + 1);
            in_quote = false;
            out.push(line.clone());
        } else if in_quote {
            // A quote's lazy continuation, which clippy refuses the same way.
            out.push(format!("> {line}"));
        } else if let Some(indent) = item_indent {
            out.push(format!("{}{line}", " ".repeat(indent)));
        } else {
            out.push(line.clone());
        }
    }
    out
}

/// Whether a line starts a block that ends a paragraph rather than continuing it: an ATX
/// heading, a block quote or a thematic break (`---`, `***`, `___`).
fn interrupts_paragraph(trimmed: &str) -> bool {
    let heading = trimmed.starts_with('#')
        && trimmed
            .trim_start_matches('#')
            .chars()
            .next()
            .is_none_or(|c| c == ' ');
    let thematic = ['-', '*', '_'].iter().any(|mark| {
        trimmed.chars().filter(|c| c == mark).count() >= 3
            && trimmed.chars().all(|c| c == *mark || c == ' ')
    });
    heading || trimmed.starts_with('>') || thematic
}

/// Whether text can be continued by appending a line: its last line is ordinary prose, not a
/// list item (an unindented line would join the item), a heading, a table row or a fence, and
/// does not end in a colon (which introduces something else than what would be appended).
pub fn ends_in_prose(text: &str) -> bool {
    let Some(last) = text.lines().last() else {
        return false;
    };
    let last = last.trim_start();
    !last.is_empty()
        && !last.trim_end().ends_with(':')
        && !is_list_item(last)
        && !last.starts_with('#')
        && !last.starts_with('|')
        && !last.starts_with('>')
        && fence_opening(last).is_none()
        && !text.contains("```")
        && !text.contains("~~~")
}

fn strip_controls(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\n' => Some('\n'),
            c if c.is_control() => None,
            // Bidirectional overrides could make the rendered text differ from the source.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => None,
            c => Some(c),
        })
        .collect()
}

/// `[Text](~~12345~~)` → `Text`: the doc-center id only resolves on Alibaba's own site (links
/// naming an operation of the service were made `operation:` links by the lowering).
fn rewrite_doc_center_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let (before, from_bracket) = rest.split_at(open);
        out.push_str(before);
        let link = from_bracket.find("](~~").and_then(|close| {
            let label = &from_bracket[1..close];
            let after = &from_bracket[close + 4..];
            let end = after.find("~~)")?;
            let id = &after[..end];
            (!label.contains('[')
                && !id.is_empty()
                && id.chars().all(|c| c.is_ascii_alphanumeric()))
            .then(|| (label, close + 4 + end + 3))
        });
        match link {
            Some((label, consumed)) => {
                out.push_str(label);
                rest = &from_bracket[consumed..];
            }
            None => {
                out.push('[');
                rest = &from_bracket[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes one line of prose outside inline code spans.
fn escape_line(line: &str) -> String {
    let ticks = line.matches('`').count();
    if ticks == 0 {
        return escape_prose(line);
    }
    if ticks % 2 == 1 {
        return escape_prose(&line.replace('`', "\u{2018}"));
    }
    line.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 0 {
                escape_prose(part)
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

fn escape_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(url_len) = url_at(rest) {
            out.push('<');
            out.push_str(&rest[..url_len]);
            out.push('>');
            rest = &rest[url_len..];
            continue;
        }
        if let Some((link, consumed)) = link_at(rest) {
            out.push_str(&link);
            rest = &rest[consumed..];
            continue;
        }
        let c = rest.chars().next().expect("rest is not empty");
        match c {
            '<' => out.push_str("&lt;"),
            '>' if out.chars().all(|c| c == '>' || c == ' ') => out.push('>'),
            '>' => out.push_str("&gt;"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            // A Markdown escape (`\[`, `\*`, `\_`, Alibaba's `\[**Deprecated**]`) stays one:
            // the text is Markdown, and a doubled backslash would show.
            '\\' if rest[1..].starts_with(|next: char| next.is_ascii_punctuation()) => {
                let escaped = rest[1..].chars().next().expect("checked above");
                out.push('\\');
                out.push(escaped);
                rest = &rest[1 + escaped.len_utf8()..];
                continue;
            }
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A Markdown link at the start of `text` that stays a link, rendered, and the bytes it took:
/// one to a web page (`[Text](https://…)`), or to an operation of the same service
/// (`[Name](operation:Name)` → `[Name](crate::operation::name)`, an intra-doc link).
fn link_at(text: &str) -> Option<(String, usize)> {
    let close = text.strip_prefix('[')?.find("](")? + 1;
    let label = &text[1..close];
    let after = &text[close + 2..];
    let end = after.find(')')?;
    let target = &after[..end];
    if label.contains(['[', ']']) || target.contains(char::is_whitespace) || label.trim().is_empty()
    {
        return None;
    }
    let target = if let Some(module) = target.strip_prefix(acs_spec::ir::OPERATION_LINK) {
        // The lowering names only modules of the service here; anything else in unlowered
        // text stays text.
        let is_module = !module.is_empty()
            && module
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !is_module {
            return None;
        }
        format!("crate::operation::{module}")
    } else if (target.starts_with("https://") || target.starts_with("http://"))
        && !target.contains(['<', '>', '"', '`'])
    {
        target.to_owned()
    } else {
        return None;
    };
    let label = escape_prose(label);
    Some((format!("[{label}]({target})"), close + 2 + end + 1))
}

/// Length of a bare URL at the start of `text`, if one starts there.
fn url_at(text: &str) -> Option<usize> {
    if !(text.starts_with("https://") || text.starts_with("http://")) {
        return None;
    }
    let end = text
        .find(|c: char| {
            c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | '(' | ')' | '[' | ']')
        })
        .unwrap_or(text.len());
    let url = text[..end].trim_end_matches(['.', ',', ';', ':']);
    Some(url.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_continuing_a_list_item_are_indented_to_its_text() {
        // Found by `cargo xtask compile-batch` (clippy::doc_lazy_continuation).
        assert_eq!(
            sanitize("- list\nmore\n12. item\n  text\n\nafter"),
            "- list\n  more\n12. item\n    text\n\nafter"
        );
        // A heading, quote or rule ends the item rather than continuing it.
        assert_eq!(sanitize("- a\n# H\n- b\n---"), "- a\n# H\n- b\n---");
        assert_eq!(
            sanitize("> quote\nmore\n\nafter"),
            "> quote\n> more\n\nafter"
        );
    }

    #[test]
    fn a_first_paragraph_keeps_what_it_introduces() {
        let text = "The day. Valid values:\n\n* Monday\n* Tuesday\n\n> Default: Monday.";
        assert_eq!(
            first_paragraph(text),
            "The day. Valid values:\n\n* Monday\n* Tuesday"
        );
        assert_eq!(first_paragraph("One.\n\nTwo."), "One.");
        assert_eq!(first_paragraph("Ends with:"), "Ends with:");
        assert_eq!(
            first_paragraph("Values:\n\n\n\n- a\n\nMore."),
            "Values:\n\n\n\n- a"
        );
        assert!(!ends_in_prose("Valid values:"));
    }

    #[test]
    fn code_on_one_line_is_inline_code() {
        // Found by compile-batch: the fence's `<b>` was left for rustdoc to read as HTML.
        assert_eq!(one_line("a\n~~~\n<b>bold\n~~~\nz"), "a `<b>bold` z");
        // An unclosed fence runs to the end; its code keeps its own longer fence.
        assert_eq!(
            one_line("```compile_fail\nx\n```</div>"),
            "`x` ```` ```</div> ````"
        );
    }

    #[test]
    fn doc_center_links_become_their_text() {
        assert_eq!(
            sanitize("Call the [DescribeBackupPlanList](~~2869825~~) operation."),
            "Call the DescribeBackupPlanList operation."
        );
    }

    #[test]
    fn links_to_operations_and_web_pages_stay_links() {
        assert_eq!(
            sanitize("Call [DescribeBackupPlanList](operation:describe_backup_plan_list) first."),
            "Call [DescribeBackupPlanList](crate::operation::describe_backup_plan_list) first."
        );
        assert_eq!(
            sanitize("See [the guide](https://help.aliyun.com/x.html)."),
            "See [the guide](https://help.aliyun.com/x.html)."
        );
        // Anything else is text, not a link rustdoc would try to resolve.
        assert_eq!(sanitize("[a](b c)"), "\\[a\\](b c)");
    }

    #[test]
    fn markup_that_rustdoc_misreads_is_neutralized() {
        assert_eq!(
            sanitize("a <b>bold</b> [x] y"),
            "a &lt;b&gt;bold&lt;/b&gt; \\[x\\] y"
        );
        assert_eq!(
            sanitize("see https://example.com/a."),
            "see <https://example.com/a>."
        );
        assert_eq!(sanitize("    indented code"), "indented code");
        assert_eq!(
            sanitize("```\nfn main() {}\n```"),
            "```text\nfn main() {}\n```"
        );
        assert_eq!(sanitize("```json\n{}"), "```text\n{}\n```");
        assert_eq!(sanitize("keep `<T>` as code"), "keep `<T>` as code");
        assert_eq!(sanitize("odd ` tick"), "odd \u{2018} tick");
        assert_eq!(
            sanitize("end */ and \"quotes\"\u{7}"),
            "end */ and \"quotes\""
        );
        assert_eq!(sanitize("- **true**: yes"), "- **true**: yes");
        // Markdown escapes stay escapes; a lone backslash is one.
        assert_eq!(
            sanitize("\\[**Deprecated**] a (\\*) b\\c \\"),
            "\\[**Deprecated**\\] a (\\*) b\\\\c \\\\"
        );
    }

    /// Descriptions that would otherwise become doc tests (compiled and run by `cargo test`).
    #[test]
    fn no_description_becomes_a_doctest() {
        // A closing fence longer than the opening one closes it (CommonMark).
        assert_eq!(
            sanitize("```\nx\n````\nafter\n```"),
            "```text\nx\n```\nafter\n```text\n```"
        );
        assert!(!closes_fence("``", "```"));
        assert!(closes_fence("`````  ", "```"));
        assert!(!closes_fence("~~~", "```"));
        // Wide gaps after quote and list markers are code blocks in CommonMark.
        assert_eq!(sanitize(">     fn main() {}"), "> fn main() {}");
        assert_eq!(sanitize("> >      nested"), "> > nested");
        assert_eq!(sanitize("-      item"), "- item");
        assert_eq!(sanitize("1.      first"), "1. first");
        assert_eq!(sanitize("- normal item"), "- normal item");
        // One-line places hold no fence: its code becomes inline code.
        assert_eq!(
            one_line("Runs:\n```\nfn main() {}\n```"),
            "Runs: `fn main() {}`"
        );
        // Backtick runs in prose pair as sanitize saw them: the URL stays in its code span.
        assert_eq!(
            one_line("/* ````rust `https://example.com/x`"),
            "/* ````rust `https://example.com/x`"
        );
    }

    #[test]
    fn inline_code_fences_outgrow_the_content() {
        assert_eq!(inline_code("a"), "`a`");
        assert_eq!(inline_code("a`b"), "``a`b``");
        assert_eq!(inline_code("`x"), "`` `x ``");
    }
}
