//! The book in `docs/` and the README hold together: every chapter SUMMARY.md names
//! exists, every page under `docs/src` is in SUMMARY.md, and every relative link in the
//! pages and in README.md reaches an existing file and, where it names an `#anchor`, a
//! heading of that file. `mdbook build` fails on a missing chapter (`create-missing =
//! false`) but not on a broken link inside a page, so this test does that part.
//!
//! Only std, and nothing of the kv_adapt crate, so it can be built alone while iterating:
//! `rustc --edition 2021 --test tests/book.rs -o /tmp/booktest && /tmp/booktest` from the
//! repository root.

use std::collections::{BTreeSet, HashSet};
use std::path::{Component, Path, PathBuf};

/// The repository root: the crate's manifest directory under cargo, else the current
/// directory (a `rustc --test` build run from the root).
fn root() -> PathBuf {
    match option_env!("CARGO_MANIFEST_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::current_dir().expect("the current directory"),
    }
}

/// The id mdBook (0.5, `mdbook-html`'s `id_from_content`) gives a heading: its text,
/// trimmed and lowercased; letters, digits, `_` and `-` kept, whitespace made `-`, anything
/// else dropped. A repeated id on one page gets `-1`, `-2`, ... (see [`heading_ids`]).
fn anchor(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// A line that opens or closes a fenced code block: its fence character and length.
fn fence(line: &str) -> Option<(char, usize)> {
    let trimmed = line.trim_start();
    let c = trimmed.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = trimmed.chars().take_while(|&x| x == c).count();
    (n >= 3).then_some((c, n))
}

/// The text of `markdown` outside fenced code blocks, one string per paragraph (blank lines
/// end a paragraph), with the line number each starts at.
fn paragraphs(markdown: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(char, usize)> = None;
    let mut current = String::new();
    let mut start = 0;
    for (i, line) in markdown.lines().enumerate() {
        if let Some((c, n)) = fence(line) {
            match open {
                None => {
                    open = Some((c, n));
                    if !current.is_empty() {
                        out.push((start, std::mem::take(&mut current)));
                    }
                    continue;
                }
                Some((oc, on)) if oc == c && n >= on => {
                    open = None;
                    continue;
                }
                Some(_) => {}
            }
        }
        if open.is_some() {
            continue;
        }
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push((start, std::mem::take(&mut current)));
            }
            continue;
        }
        if current.is_empty() {
            start = i + 1;
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.is_empty() {
        out.push((start, current));
    }
    out
}

/// `text` split into the parts outside code spans (`false`) and the contents of code spans
/// (`true`). A backtick run with no closing run of the same length is literal text.
fn code_spans(text: &str) -> Vec<(bool, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut parts = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            plain.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&c| c == '`').count();
        // Look for a closing run of exactly `run` backticks.
        let mut j = i + run;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let n = chars[j..].iter().take_while(|&&c| c == '`').count();
                if n == run {
                    close = Some(j);
                    break;
                }
                j += n;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                if !plain.is_empty() {
                    parts.push((false, std::mem::take(&mut plain)));
                }
                parts.push((true, chars[i + run..j].iter().collect()));
                i = j + run;
            }
            None => {
                plain.extend(&chars[i..i + run]);
                i += run;
            }
        }
    }
    if !plain.is_empty() {
        parts.push((false, plain));
    }
    parts
}

/// The link targets of `markdown` (inline links and images `[text](target "title")`, and
/// reference definitions `[name]: target`), each with the line its paragraph starts at,
/// leaving out code blocks and code spans.
fn links(markdown: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (line, paragraph) in paragraphs(markdown) {
        for (code, part) in code_spans(&paragraph) {
            if code {
                continue;
            }
            let mut rest = part.as_str();
            while let Some(at) = rest.find("](") {
                let after = &rest[at + 2..];
                let end = after.find(')').unwrap_or(after.len());
                let target = after[..end].split_whitespace().next().unwrap_or("");
                let target = target.trim_start_matches('<').trim_end_matches('>');
                found.push((line, target.to_string()));
                rest = &after[end..];
            }
            for l in part.lines() {
                let l = l.trim_start();
                if let Some(close) = l.strip_prefix('[').and_then(|r| r.find("]:").map(|c| (r, c))) {
                    let (r, c) = close;
                    if let Some(target) = r[c + 2..].split_whitespace().next() {
                        found.push((line, target.to_string()));
                    }
                }
            }
        }
    }
    found
}

/// The ids mdBook gives the headings of `markdown` (ATX headings outside code blocks), in
/// order, repeats numbered as mdBook numbers them.
fn heading_ids(markdown: &str) -> Vec<String> {
    let mut used = HashSet::new();
    let mut ids = Vec::new();
    for (_, paragraph) in paragraphs(markdown) {
        for line in paragraph.lines() {
            let indent = line.len() - line.trim_start_matches(' ').len();
            let trimmed = line.trim_start_matches(' ');
            let level = trimmed.chars().take_while(|&c| c == '#').count();
            if indent > 3 || level == 0 || level > 6 {
                continue;
            }
            let rest = &trimmed[level..];
            if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
                continue;
            }
            // An optional closing sequence of `#`s.
            let mut text = rest.trim();
            let stripped = text.trim_end_matches('#');
            if stripped.is_empty() || stripped.ends_with(' ') {
                text = stripped.trim_end();
            }
            // The heading's text as rendered: code spans keep their contents, links their
            // text, emphasis markers go.
            let mut rendered = String::new();
            for (code, part) in code_spans(text) {
                if code {
                    rendered.push_str(&part);
                } else {
                    rendered.push_str(&link_texts(&part).replace('*', ""));
                }
            }
            let id = anchor(&rendered);
            let mut unique = id.clone();
            let mut n = 0;
            while !used.insert(unique.clone()) {
                n += 1;
                unique = format!("{id}-{n}");
            }
            ids.push(unique);
        }
    }
    ids
}

/// `[text](target)` replaced by `text`.
fn link_texts(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        let before = &rest[..at];
        match before.rfind('[') {
            Some(open) => {
                out.push_str(&before[..open]);
                out.push_str(&before[open + 1..]);
            }
            None => out.push_str(before),
        }
        let after = &rest[at + 2..];
        let end = after.find(')').map_or(after.len(), |e| e + 1);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `path` with `.` and `..` resolved lexically.
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// What is wrong with the relative links of the markdown file `file`: each a line naming
/// the file, the line and the link.
fn broken_links(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let dir = file.parent().expect("a file has a directory");
    let mut broken = Vec::new();
    for (line, target) in links(&text) {
        let external = target.contains("://") || target.starts_with("mailto:");
        if external || target.is_empty() {
            continue;
        }
        let (path, fragment) = match target.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (target.as_str(), None),
        };
        let linked = if path.is_empty() { file.to_path_buf() } else { normalized(&dir.join(path)) };
        let at = format!("{}:{line}: link `{target}`", file.display());
        if !linked.exists() {
            broken.push(format!("{at}: {} does not exist", linked.display()));
            continue;
        }
        let Some(fragment) = fragment else { continue };
        if linked.extension().and_then(|e| e.to_str()) != Some("md") {
            broken.push(format!("{at}: an anchor into a file that is not markdown"));
            continue;
        }
        let target_text = std::fs::read_to_string(&linked).unwrap_or_default();
        let ids = heading_ids(&target_text);
        if !ids.iter().any(|id| id == fragment) {
            broken.push(format!("{at}: {} has no heading with id `{fragment}` (it has {ids:?})", linked.display()));
        }
    }
    broken
}

/// Every `.md` file under `dir`, sorted.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().and_then(|e| e.to_str()) == Some("md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// What is wrong with the book under `src` (its SUMMARY.md and pages): each a line.
fn summary_problems(src: &Path) -> Vec<String> {
    let summary_path = src.join("SUMMARY.md");
    let summary = match std::fs::read_to_string(&summary_path) {
        Ok(text) => text,
        Err(e) => return vec![format!("{}: {e}", summary_path.display())],
    };
    let mut problems = Vec::new();
    let mut listed = BTreeSet::new();
    for (line, target) in links(&summary) {
        if target.is_empty() {
            continue; // a draft chapter, `[Name]()`
        }
        let page = normalized(&src.join(target.split('#').next().unwrap_or("")));
        if !page.is_file() {
            problems.push(format!("{}:{line}: chapter `{target}` does not exist", summary_path.display()));
        }
        listed.insert(page);
    }
    for page in markdown_files(src) {
        if page != summary_path && !listed.contains(&page) {
            problems.push(format!("{} is not in SUMMARY.md", page.display()));
        }
    }
    problems
}

#[test]
fn every_chapter_of_the_summary_exists_and_every_page_is_in_it() {
    let problems = summary_problems(&root().join("docs/src"));
    assert!(problems.is_empty(), "the book's SUMMARY.md and its pages disagree:\n{}", problems.join("\n"));
}

#[test]
fn every_relative_link_of_the_book_and_the_readme_resolves() {
    let root = root();
    let mut files = markdown_files(&root.join("docs/src"));
    files.push(root.join("README.md"));
    let broken: Vec<String> = files.iter().flat_map(|f| broken_links(f)).collect();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn anchors_follow_mdbooks_rule() {
    assert_eq!(anchor("Semantics: G2 on G5 / G6"), "semantics-g2-on-g5--g6");
    assert_eq!(anchor("`--passes`: add more rustdoc passes"), "--passes-add-more-rustdoc-passes");
    assert_eq!(anchor("Method-call 🐙 expressions \u{1f47c}"), "method-call--expressions-");
    assert_eq!(anchor("_-_12345"), "_-_12345");
    assert_eq!(anchor("Über (µs)"), "über-µs");
    assert_eq!(anchor("  Trimmed  "), "trimmed");
}

#[test]
fn heading_ids_are_the_rendered_text_and_repeats_are_numbered() {
    let page = "# Title\n\n## `kv_adapt::plug` and [time](x.md)\n\n```\n# not a heading\n```\n\n## Title\n\n## Closed ##\n#not-a-heading\n    # indented code\n";
    assert_eq!(heading_ids(page), ["title", "kv_adaptplug-and-time", "title-1", "closed"]);
}

#[test]
fn links_are_found_outside_code_only() {
    let page = "See [a](a.md) and [b\nc](b.md#part \"title\"), ![img](i.png).\n\n\
                `[not](code.md)` and ``[not `either`](code2.md)``\n\n\
                ```sh\n[no](fenced.md)\n```\n\n\
                [ref]: ref.md\n\n\
                [web](https://example.com) [here](#local)\n";
    let targets: Vec<String> = links(page).into_iter().map(|(_, t)| t).collect();
    assert_eq!(targets, ["a.md", "b.md#part", "i.png", "ref.md", "https://example.com", "#local"]);
}

#[test]
fn a_broken_file_link_a_broken_anchor_and_a_page_left_out_are_reported() {
    let dir = std::env::temp_dir().join(format!("kv-adapt-book-test-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("SUMMARY.md"), "# Summary\n\n- [One](one.md)\n- [Gone](gone.md)\n").unwrap();
    std::fs::write(
        src.join("one.md"),
        "# One\n\n## Some part\n\n[fine](#some-part) [fine too](two.md#two) [no file](three.md) [no heading](two.md#nowhere)\n",
    )
    .unwrap();
    std::fs::write(src.join("two.md"), "# Two\n").unwrap();

    let problems = summary_problems(&src);
    let broken = broken_links(&src.join("one.md"));
    std::fs::remove_dir_all(&dir).unwrap();

    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("chapter `gone.md` does not exist"), "{problems:?}");
    assert!(problems[1].ends_with("two.md is not in SUMMARY.md"), "{problems:?}");
    assert_eq!(broken.len(), 2, "{broken:?}");
    assert!(broken[0].contains("link `three.md`") && broken[0].contains("does not exist"), "{broken:?}");
    assert!(broken[1].contains("link `two.md#nowhere`") && broken[1].contains("no heading with id `nowhere`"), "{broken:?}");
}
