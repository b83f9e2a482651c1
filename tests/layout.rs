//! `src/` shows the crate's jobs as folders and no module uses one that uses it back:
//! every `crate::` and `super::` path in the library's code is an edge from its file to the
//! module it names, and the graph of files, and the graph of top-level folders, must have
//! no cycle. `lib.rs` re-exports everything, so a module naming an item through the crate
//! root (`crate::PlugOptions`) closes a cycle and is refused too.
//!
//! Only std: the check reads source text, so it needs no build of the crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The module path of a library file: `src/lib.rs` is the root (empty), `src/a/mod.rs` is
/// `a`, `src/a/b.rs` is `a::b`. `main.rs` is the binary's own crate and has none.
fn module_of(relative: &Path) -> Option<Vec<String>> {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let file = parts.pop()?;
    match file.as_str() {
        "main.rs" if parts.is_empty() => None,
        "lib.rs" if parts.is_empty() => Some(parts),
        "mod.rs" => Some(parts),
        other => {
            parts.push(other.strip_suffix(".rs")?.to_string());
            Some(parts)
        }
    }
}

/// Code without comments, so that a doc comment naming a module is not an edge.
fn code(text: &str) -> String {
    text.lines()
        .map(|line| match line.trim_start().starts_with("//") {
            true => "",
            false => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each `crate::a::b…` and `super::…::x…` path in `text`, as written (without the prefix
/// for `crate::`, and with the number of `super`s for the others).
fn paths(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut at = 0;
    while at < text.len() {
        let starts_word = at == 0 || !ident(bytes[at - 1]);
        let rest = &bytes[at..];
        let (ups, skip) = if starts_word && rest.starts_with(b"crate::") {
            (0, "crate::".len())
        } else if starts_word && rest.starts_with(b"super::") {
            let mut ups = 0;
            let mut skip = 0;
            while bytes[at + skip..].starts_with(b"super::") {
                ups += 1;
                skip += "super::".len();
            }
            (ups, skip)
        } else {
            at += 1;
            continue;
        };
        let mut segments = Vec::new();
        let mut i = at + skip;
        loop {
            let start = i;
            while i < text.len() && ident(bytes[i]) {
                i += 1;
            }
            if start == i {
                // `crate::{…}` or `super::*`: an empty segment names the module itself.
                segments.push(String::new());
                break;
            }
            segments.push(text[start..i].to_string());
            if bytes[i..].starts_with(b"::") {
                i += 2;
            } else {
                break;
            }
        }
        found.push((ups, segments));
        at = i.max(at + 1);
    }
    found
}

/// The module a path names: the longest prefix that is a module of `modules`. A `super::`
/// path that names no module names an item of its own file (from a nested `mod tests`).
fn target(from: &[String], ups: usize, segments: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    let base: Vec<String> = match ups {
        0 => Vec::new(),
        n if n <= from.len() => from[..from.len() - n].to_vec(),
        _ => return None,
    };
    let mut best = None;
    let mut path = base.clone();
    for segment in segments {
        path.push(segment.clone());
        if modules.contains(&path) {
            best = Some(path.clone());
        }
    }
    match (ups, best) {
        (_, Some(module)) => Some(module),
        // `crate::Item`: an item of the crate root.
        (0, None) => Some(Vec::new()),
        (_, None) => None,
    }
}

fn name(module: &[String]) -> String {
    match module.is_empty() {
        true => "lib.rs (the crate root)".into(),
        false => module.join("::"),
    }
}

/// A cycle of `graph`, if it has one.
fn cycle<N: Ord + Clone>(graph: &BTreeMap<N, BTreeSet<N>>) -> Option<Vec<N>> {
    fn visit<N: Ord + Clone>(node: &N, graph: &BTreeMap<N, BTreeSet<N>>, done: &mut BTreeSet<N>, stack: &mut Vec<N>) -> Option<Vec<N>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut found = stack[at..].to_vec();
            found.push(node.clone());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, done, stack) {
                return Some(found);
            }
        }
        stack.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Edges between the library's modules: (from, to, the path as written).
fn edges(root: &Path) -> (BTreeSet<Vec<String>>, Vec<(Vec<String>, Vec<String>, String)>) {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let sources: Vec<(Vec<String>, String)> = files
        .iter()
        .filter_map(|f| Some((module_of(f.strip_prefix(root).unwrap())?, std::fs::read_to_string(f).unwrap())))
        .collect();
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|(m, _)| m.clone()).collect();
    let mut found = Vec::new();
    for (module, text) in &sources {
        for (ups, segments) in paths(&code(text)) {
            let Some(to) = target(module, ups, &segments, &modules) else { continue };
            if &to != module {
                let written = format!("{}{}", if ups == 0 { "crate::".to_string() } else { "super::".repeat(ups) }, segments.join("::"));
                found.push((module.clone(), to, written));
            }
        }
    }
    (modules, found)
}

#[test]
fn no_module_uses_one_that_uses_it_back() {
    let (modules, edges) = edges(&src());
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = modules.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    let mut through_root = Vec::new();
    for (from, to, written) in &edges {
        // The crate root declares and re-exports every module; only edges into it matter.
        if from.is_empty() {
            continue;
        }
        if to.is_empty() {
            through_root.push(format!("{} uses `{written}` through the crate root", name(from)));
        }
        graph.get_mut(from).unwrap().insert(to.clone());
    }
    assert!(through_root.is_empty(), "name items by the module that defines them:\n{}", through_root.join("\n"));
    if let Some(found) = cycle(&graph) {
        let names: Vec<String> = found.iter().map(|m| name(m)).collect();
        panic!("import cycle: {}", names.join(" -> "));
    }
}

#[test]
fn the_folders_use_each_other_in_one_direction() {
    let (_, edges) = edges(&src());
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to, _) in edges.iter().filter(|(from, to, _)| !from.is_empty() && !to.is_empty()) {
        let (a, b) = (from[0].clone(), to[0].clone());
        graph.entry(b.clone()).or_default();
        if a != b {
            graph.entry(a).or_default().insert(b);
        }
    }
    if let Some(found) = cycle(&graph) {
        panic!("folders in a cycle: {}", found.join(" -> "));
    }
    // The jobs the crate does are folders of their own.
    for job in ["plan", "link", "host", "store", "check"] {
        assert!(src().join(job).join("mod.rs").is_file(), "src/{job}/ is missing");
    }
}

#[test]
fn the_scanner_finds_the_paths_a_cycle_is_made_of() {
    let module = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    let modules: BTreeSet<Vec<String>> = [vec![], module("plan"), module("plan::surface"), module("link"), module("link::fuse")].into();
    let text = code("// crate::link::fuse in a comment is no edge\nuse crate::plan::surface::{self, Surface};\nlet x = crate::link::fuse::fuse(a);\nuse crate::Generation;\nuse super::*;\nsuper::super::plan::x();");
    let found: Vec<_> = paths(&text).into_iter().filter_map(|(ups, s)| target(&module("link::fuse"), ups, &s, &modules)).collect();
    assert_eq!(found, vec![module("plan::surface"), module("link::fuse"), vec![], module("plan")]);
    // `super::*` inside `link::fuse`'s tests names `link`, which is a module: an edge to the
    // parent, which the graph then holds. Here it was `super::super::plan`, two levels up.
    let graph: BTreeMap<u8, BTreeSet<u8>> = [(1, [2].into()), (2, [3].into()), (3, [1].into())].into();
    assert_eq!(cycle(&graph), Some(vec![1, 2, 3, 1]));
    let graph: BTreeMap<u8, BTreeSet<u8>> = [(1, [2].into()), (2, [3].into()), (3, BTreeSet::new())].into();
    assert_eq!(cycle(&graph), None);
}
