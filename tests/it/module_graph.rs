//! The shape of the source tree (issue 10): no module imports a module that imports it
//! back, and no source file grows past ~600 lines without saying why.
//!
//! The check reads `src/` as text, so it needs no tool beyond `cargo test`. A module is a
//! file (`a/b.rs` or `a/b/mod.rs` is `a::b`). Every path a file names (`use` lists,
//! `crate::…` and `super::…` paths outside `#[cfg(test)]` code) gives an edge between the
//! two siblings under which the files' module paths part: `engine::sim::client` naming
//! `crate::engine::log::X` is the edge `engine::sim → engine::log`, `report::html` naming
//! `crate::sweep::data` is `report → sweep`. Parents and their own children may name each
//! other (a child sees its parent's items by design). Among siblings, the graph must have
//! no cycle, at every level.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// A file longer than this says why in its `//!` with a line starting `Long because`.
const MAX_LINES: usize = 600;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Module = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code of a file without comments, string contents and its test module.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                out.push('"');
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push('"');
            }
            // A char literal such as '"' or '{' must not open a string or a group.
            '\'' => {
                let rest: String = chars.clone().take(3).collect();
                let mut it = rest.chars();
                match (it.next(), it.next(), it.next()) {
                    (Some('\\'), Some(_), Some('\'')) => {
                        chars.nth(2);
                    }
                    (Some(_), Some('\''), _) => {
                        chars.nth(1);
                    }
                    _ => out.push(c), // a lifetime
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// `a::{b, c::{d, e}}` as `a::b`, `a::c::d`, `a::c::e`.
fn expand_use(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head = &tree[..open];
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_use(&format!("{prefix}{head}"), &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand_use(&format!("{prefix}{head}"), &inner[start..], out);
    } else if !tree.is_empty() {
        let path = tree.split(" as ").next().unwrap_or(tree).trim();
        out.push(format!("{prefix}{path}"));
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every `crate::…` or `super::…` path the code names, `use` trees expanded.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let at_word = i == 0 || !is_ident(rest[..i].chars().last().unwrap());
        rest = &rest[i + 4..];
        if at_word {
            let end = rest.find(';').unwrap_or(rest.len());
            let tree: String = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
            expand_use("", &tree, &mut paths);
        }
    }
    for root in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(root) {
            let start = from + i;
            from = start + root.len();
            if start > 0 && is_ident(code[..start].chars().last().unwrap()) {
                continue;
            }
            let end = code[start..]
                .find(|c: char| !(is_ident(c) || c == ':'))
                .map_or(code.len(), |e| start + e);
            paths.push(code[start..end].trim_end_matches(':').to_string());
        }
    }
    paths
}

/// The module a path named in a file of `file_module` lands in: its longest prefix that
/// is a module.
fn target(path: &str, file_module: &Module, modules: &BTreeSet<Module>) -> Option<Module> {
    let segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut full: Module = match segs.first() {
        Some(&"crate") => Vec::new(),
        Some(&"super") => {
            // `super` in `a/b.rs` and in `a/b/mod.rs` (both module a::b) is `a`.
            let mut base = file_module.clone();
            base.pop();
            base
        }
        _ => return None,
    };
    let mut rest = &segs[1..];
    while rest.first() == Some(&"super") {
        full.pop();
        rest = &rest[1..];
    }
    full.extend(rest.iter().map(|s| s.to_string()));
    (0..=full.len())
        .rev()
        .map(|n| full[..n].to_vec())
        .find(|m| !m.is_empty() && modules.contains(m))
}

type Graph = BTreeMap<Module, BTreeMap<Module, BTreeSet<String>>>;

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Module> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut graph = Graph::new();
    for file in &files {
        let module = module_of(&src, file);
        if module.first().is_some_and(|m| m == "bin") {
            continue;
        }
        let code = code_of(&fs::read_to_string(file).unwrap());
        for path in named_paths(&code) {
            let Some(to) = target(&path, &module, &modules) else {
                continue;
            };
            let common = module.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common >= module.len() || common >= to.len() {
                continue; // an ancestor or a descendant
            }
            graph
                .entry(module[..=common].to_vec())
                .or_default()
                .entry(to[..=common].to_vec())
                .or_default()
                .insert(module.join("::"));
        }
    }
    graph
}

/// The cycles of `graph`, each as its modules in order (first one repeated at the end).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    fn visit(
        v: &Module,
        graph: &Graph,
        state: &mut BTreeMap<Module, u8>,
        stack: &mut Vec<Module>,
        found: &mut Vec<Vec<String>>,
    ) {
        state.insert(v.clone(), 1);
        stack.push(v.clone());
        for w in graph.get(v).into_iter().flat_map(|m| m.keys()) {
            match state.get(w).copied().unwrap_or(0) {
                0 => visit(w, graph, state, stack, found),
                1 => {
                    let at = stack.iter().position(|m| m == w).unwrap();
                    let mut cycle: Vec<String> = stack[at..].iter().map(|m| m.join("::")).collect();
                    cycle.push(w.join("::"));
                    found.push(cycle);
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(v.clone(), 2);
    }
    let mut state = BTreeMap::new();
    let mut found = Vec::new();
    for v in graph.keys() {
        if state.get(v).copied().unwrap_or(0) == 0 {
            visit(v, graph, &mut state, &mut Vec::new(), &mut found);
        }
    }
    found
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let graph = graph();
    // The check sees the edges it must: a known one, so a parser that finds nothing fails.
    let engine_to_model = graph
        .get(&vec!["engine".to_string()])
        .is_some_and(|m| m.contains_key(&vec!["model".to_string()]));
    assert!(engine_to_model, "the engine's use of crate::model not seen");
    let found = cycles(&graph);
    let explain: Vec<String> = found
        .iter()
        .map(|c| {
            let edges: Vec<String> = c
                .windows(2)
                .map(|w| {
                    let key = |s: &str| s.split("::").map(str::to_string).collect::<Module>();
                    let via = &graph[&key(&w[0])][&key(&w[1])];
                    format!("{} -> {} (in {:?})", w[0], w[1], via)
                })
                .collect();
            edges.join("; ")
        })
        .collect();
    assert!(found.is_empty(), "module cycles:\n{}", explain.join("\n"));
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let m = |s: &str| vec![s.to_string()];
    let mut g = Graph::new();
    g.entry(m("a"))
        .or_default()
        .entry(m("b"))
        .or_default()
        .insert("a".into());
    g.entry(m("b"))
        .or_default()
        .entry(m("c"))
        .or_default()
        .insert("b".into());
    assert!(cycles(&g).is_empty());
    g.entry(m("c"))
        .or_default()
        .entry(m("a"))
        .or_default()
        .insert("c".into());
    assert_eq!(cycles(&g), vec![vec!["a", "b", "c", "a"]]);
    // Paths are read from `use` trees, inline paths and `super`, not from comments.
    let code = code_of(
        "use crate::x::{y, z::{self, W}};\n// crate::comment::Only\nfn f() { super::q::r(); let s = \"crate::in_string\"; }",
    );
    let paths = named_paths(&code);
    for p in [
        "crate::x::y",
        "crate::x::z::self",
        "crate::x::z::W",
        "super::q::r",
    ] {
        assert!(paths.iter().any(|x| x == p), "{p} in {paths:?}");
    }
    assert!(!paths
        .iter()
        .any(|x| x.contains("comment") || x.contains("in_string")));
}

#[test]
fn long_source_files_say_why() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let unexplained: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let text = fs::read_to_string(f).unwrap();
            let lines = text.lines().count();
            let says_why = text.lines().take_while(|l| l.starts_with("//!")).any(|l| {
                l.trim_start_matches("//!")
                    .trim()
                    .starts_with("Long because")
            });
            (lines > MAX_LINES && !says_why).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(
        unexplained.is_empty(),
        "files over {MAX_LINES} lines without a `//! Long because …` line: {unexplained:?}"
    );
}
