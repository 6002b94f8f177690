//! `cargo xtask cycles`: import cycles between the files of each crate.
//!
//! The design rule (issue 14, point 8): no file imports a file that imports it back, directly
//! or through others. This module reads every `.rs` file under `crates/*/src` and `xtask/src`,
//! finds the files each one names (`use crate::...`, `use super::...`, `self::...`, a child
//! module's or an imported module's path, `crate::x::y` written inline, `$crate::` in macros)
//! and reports every cycle of the resulting graph, each with the lines that close it.
//!
//! A path is charged to the deepest module *file* it names: `crate::batch::tally::Tally` is
//! `batch/tally.rs`, and `crate::batch::Tally` (a re-export) is `batch/mod.rs`, so importing
//! through a parent's re-export counts as importing the parent. Declaring a child (`mod x;`)
//! is not an import; using its items is. Inline modules (`mod tests { use super::*; }`) belong
//! to their file. The reading is lexical (comments and literals skipped, no macro expansion),
//! which is enough for `use` trees and paths.
//!
//! The unit test `the_workspace_has_no_import_cycles` keeps the rule (`cargo test --workspace`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// `cargo xtask cycles`: prints every import cycle of every crate; fails when there is one.
pub fn run(root: &Path) -> Result<()> {
    let report = workspace_report(root)?;
    if report.is_empty() {
        println!("no import cycles between files");
        Ok(())
    } else {
        print!("{report}");
        bail!("import cycles between files (see above)")
    }
}

/// Every cycle of every crate of the workspace at `root`, as text; empty when there is none.
pub fn workspace_report(root: &Path) -> Result<String> {
    let mut src_dirs: Vec<PathBuf> = Vec::new();
    for entry in fs::read_dir(root.join("crates")).context("reading crates/")? {
        let src = entry?.path().join("src");
        if src.is_dir() {
            src_dirs.push(src);
        }
    }
    src_dirs.sort();
    src_dirs.push(root.join("xtask/src"));
    let mut out = String::new();
    for src in src_dirs {
        let files = read_sources(&src)?;
        let name = src
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for cycle in cycles(&files) {
            let _ = writeln!(out, "{name}: {cycle}");
        }
    }
    Ok(out)
}

/// The `.rs` files under `src` (paths relative to it, `/`-separated), `src/bin` left out
/// (each of its files is a crate of its own).
fn read_sources(src: &Path) -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            let rel = path
                .strip_prefix(src)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if path.is_dir() {
                if rel != "bin" {
                    dirs.push(path);
                }
            } else if rel.ends_with(".rs") {
                let text = fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                files.push((rel, text));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The module path of a source file: `lib.rs` is the root, `a/mod.rs` and `a.rs` are `a`.
fn module_of(rel: &str) -> Vec<String> {
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut segments: Vec<String> = rel.split('/').map(str::to_owned).collect();
    if matches!(
        segments.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        segments.pop();
    }
    segments
}

/// One import: the file it charges and where it was written.
#[derive(Debug, Clone)]
struct Import {
    line: usize,
    text: String,
}

/// The cycles among `files` (path relative to `src`, text), each as
/// `a.rs -> b.rs (line: path) -> a.rs (line: path)`.
fn cycles(files: &[(String, String)]) -> Vec<String> {
    let modules: HashMap<Vec<String>, usize> = files
        .iter()
        .enumerate()
        .map(|(i, (rel, _))| (module_of(rel), i))
        .collect();
    let facade = files
        .iter()
        .find(|(rel, _)| module_of(rel).is_empty())
        .map(|(_, text)| root_facade(text, &modules))
        .unwrap_or_default();
    let imports: Vec<BTreeMap<usize, Import>> = files
        .iter()
        .enumerate()
        .map(|(i, (rel, text))| imports_of(i, &module_of(rel), text, &modules, &facade))
        .collect();
    let mut found = Vec::new();
    for component in strongly_connected(&imports) {
        if component.len() < 2 {
            continue;
        }
        let start = component[0];
        let path = shortest_cycle(start, &component, &imports);
        let mut text = files[start].0.clone();
        for pair in path.windows(2) {
            let import = &imports[pair[0]][&pair[1]];
            let _ = write!(
                text,
                " -> {} ({}: {})",
                files[pair[1]].0, import.line, import.text
            );
        }
        if component.len() > path.len() - 1 {
            let others: Vec<&str> = component
                .iter()
                .filter(|f| !path.contains(f))
                .map(|&f| files[f].0.as_str())
                .collect();
            let _ = write!(text, "; same knot: {}", others.join(", "));
        }
        if std::env::var_os("VT_CYCLES_EDGES").is_some() {
            for &from in &component {
                for (to, import) in &imports[from] {
                    if component.contains(to) {
                        let _ = write!(
                            text,
                            "\n    {} -> {} ({}: {})",
                            files[from].0, files[*to].0, import.line, import.text
                        );
                    }
                }
            }
        }
        found.push(text);
    }
    found
}

/// Tarjan's strongly connected components, each sorted, in a stable order.
fn strongly_connected(graph: &[BTreeMap<usize, Import>]) -> Vec<Vec<usize>> {
    struct State<'g> {
        graph: &'g [BTreeMap<usize, Import>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        let graph = s.graph;
        for &w in graph[v].keys() {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            component.sort_unstable();
            s.out.push(component);
        }
    }
    let n = graph.len();
    let mut s = State {
        graph,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

/// The shortest path `start -> ... -> start` inside one component.
fn shortest_cycle(
    start: usize,
    component: &[usize],
    graph: &[BTreeMap<usize, Import>],
) -> Vec<usize> {
    let inside: BTreeSet<usize> = component.iter().copied().collect();
    let mut came_from: HashMap<usize, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in graph[v].keys() {
            if !inside.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![v];
                let mut at = v;
                while at != start {
                    at = came_from[&at];
                    path.push(at);
                }
                path.reverse();
                path.push(start);
                return path;
            }
            if w != start && !came_from.contains_key(&w) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start, start]
}

/// A token of Rust source, as far as paths need: identifiers (keywords included), `::`, and
/// single punctuation characters. Literals, comments and lifetimes are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

/// Tokens of `text` with their 1-based line numbers.
fn tokenize(text: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let ident_start = |ch: char| ch == '_' || ch.is_alphabetic();
    let ident_char = |ch: char| ch == '_' || ch.is_alphanumeric();
    // Skips a (raw) string body starting at the opening quote `c[at] == '"'`, `hashes` `#`s.
    let skip_string = |mut at: usize, hashes: usize, raw: bool, line: &mut usize| -> usize {
        at += 1;
        while at < c.len() {
            match c[at] {
                '\n' => *line += 1,
                '\\' if !raw => {
                    if c.get(at + 1) == Some(&'\n') {
                        *line += 1;
                    }
                    at += 1;
                }
                '"' if (1..=hashes).all(|k| c.get(at + k) == Some(&'#')) => {
                    return at + 1 + hashes;
                }
                _ => {}
            }
            at += 1;
        }
        at
    };
    while i < c.len() {
        let ch = c[i];
        match ch {
            '\n' => {
                line += 1;
                i += 1;
            }
            _ if ch.is_whitespace() => i += 1,
            '/' if c.get(i + 1) == Some(&'/') => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if c.get(i + 1) == Some(&'*') => {
                let mut depth = 0;
                while i < c.len() {
                    if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if c[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            '"' => i = skip_string(i, 0, false, &mut line),
            '\'' => {
                // 'x', '\n', '\u{..}' are literals; 'a (no closing quote next) a lifetime.
                if c.get(i + 1) == Some(&'\\') {
                    i += 2;
                    while i < c.len() && c[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if c.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                    while i < c.len() && ident_char(c[i]) {
                        i += 1;
                    }
                }
            }
            _ if ch.is_ascii_digit() => {
                while i < c.len()
                    && (ident_char(c[i])
                        || (c[i] == '.' && c.get(i + 1).is_some_and(char::is_ascii_digit)))
                {
                    i += 1;
                }
            }
            _ if ident_start(ch) => {
                // String prefixes: b"", c"", r"", r#""#, br"", cr#""#, b'x'.
                let mut j = i;
                if matches!(c[j], 'b' | 'c') {
                    j += 1;
                }
                let raw = c.get(j) == Some(&'r');
                if raw {
                    j += 1;
                }
                let mut hashes = 0;
                while raw && c.get(j + hashes) == Some(&'#') {
                    hashes += 1;
                }
                if (j > i) && c.get(j + hashes) == Some(&'"') && (raw || hashes == 0) {
                    i = skip_string(j + hashes, hashes, raw, &mut line);
                    continue;
                }
                if c[i] == 'b' && c.get(i + 1) == Some(&'\'') {
                    i += 2;
                    if c.get(i) == Some(&'\\') {
                        i += 1;
                    }
                    i += 1;
                    while i < c.len() && c[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                    continue;
                }
                // Raw identifier r#name.
                if c[i] == 'r' && c.get(i + 1) == Some(&'#') {
                    i += 2;
                }
                let start = i;
                while i < c.len() && ident_char(c[i]) {
                    i += 1;
                }
                out.push((Tok::Ident(c[start..i].iter().collect()), line));
            }
            ':' if c.get(i + 1) == Some(&':') => {
                out.push((Tok::PathSep, line));
                i += 2;
            }
            _ => {
                out.push((Tok::Punct(ch), line));
                i += 1;
            }
        }
    }
    out
}

/// One path a `use` tree brings in: its segments and the name it is bound to (`None` for a
/// glob).
struct UseLeaf {
    path: Vec<String>,
    binding: Option<String>,
}

/// Parses a use tree at `toks[*at]`, under `prefix`, into leaves.
fn parse_use_tree(
    toks: &[(Tok, usize)],
    at: &mut usize,
    prefix: &[String],
    out: &mut Vec<UseLeaf>,
) {
    let mut path = prefix.to_vec();
    if toks.get(*at).map(|t| &t.0) == Some(&Tok::PathSep) {
        *at += 1;
    }
    loop {
        match toks.get(*at).map(|t| &t.0) {
            Some(Tok::Ident(name)) => {
                path.push(name.clone());
                *at += 1;
                match toks.get(*at).map(|t| &t.0) {
                    Some(Tok::PathSep) => *at += 1,
                    Some(Tok::Ident(kw)) if kw == "as" => {
                        *at += 1;
                        let binding = match toks.get(*at).map(|t| &t.0) {
                            Some(Tok::Ident(alias)) => Some(alias.clone()),
                            _ => None,
                        };
                        *at += 1;
                        out.push(UseLeaf { path, binding });
                        return;
                    }
                    _ => {
                        let binding = path.last().cloned();
                        out.push(UseLeaf { path, binding });
                        return;
                    }
                }
            }
            Some(Tok::Punct('*')) => {
                *at += 1;
                out.push(UseLeaf {
                    path,
                    binding: None,
                });
                return;
            }
            Some(Tok::Punct('{')) => {
                *at += 1;
                loop {
                    match toks.get(*at).map(|t| &t.0) {
                        Some(Tok::Punct('}')) => {
                            *at += 1;
                            return;
                        }
                        Some(Tok::Punct(',')) => *at += 1,
                        None => return,
                        _ => {
                            let before = *at;
                            parse_use_tree(toks, at, &path, out);
                            if *at == before {
                                *at += 1;
                            }
                        }
                    }
                }
            }
            _ => return,
        }
    }
}

/// The files one file imports, keyed by file index (the first place each is named).
fn imports_of(
    me: usize,
    module: &[String],
    text: &str,
    modules: &HashMap<Vec<String>, usize>,
    facade: &HashMap<String, Vec<String>>,
) -> BTreeMap<usize, Import> {
    let toks = tokenize(text);
    let is_module = |path: &[String]| modules.contains_key(path);
    // The deepest module file a crate-absolute path names; a name the crate root re-exports
    // is charged to the file that defines it.
    let file_of = |path: &[String]| -> usize {
        let mut path = path.to_vec();
        for _ in 0..8 {
            if path.is_empty() || modules.contains_key(&path[..1]) {
                break;
            }
            match facade.get(&path[0]) {
                Some(target) => {
                    path = [target.as_slice(), &path[1..]].concat();
                }
                _ => break,
            }
        }
        (0..=path.len())
            .rev()
            .find_map(|n| modules.get(&path[..n]).copied())
            .unwrap_or(me)
    };

    let scope_at = inline_scopes(&toks);
    let current = |k: usize| -> Vec<String> {
        let mut path = module.to_vec();
        path.extend(scope_at[k].iter().cloned());
        path
    };

    // Use declarations: their token ranges, module aliases, and the imports they make.
    let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
    let mut in_use = vec![false; toks.len()];
    let mut use_leaves: Vec<(usize, Vec<String>, bool)> = Vec::new(); // (token, abs path, glob)
    let mut k = 0;
    while k < toks.len() {
        if toks[k].0 == Tok::Ident("use".into()) {
            let start = k;
            let mut at = k + 1;
            let mut leaves = Vec::new();
            parse_use_tree(&toks, &mut at, &[], &mut leaves);
            while at < toks.len() && toks[at].0 != Tok::Punct(';') {
                at += 1;
            }
            for flag in &mut in_use[start..at.min(toks.len())] {
                *flag = true;
            }
            let here = current(start);
            let public = is_public_use(&toks, start);
            if public && module.is_empty() && here.is_empty() {
                // The crate root's `pub use` is the crate's public face, not an import.
                k = at + 1;
                continue;
            }
            for leaf in leaves {
                let mut path = leaf.path;
                let mut binding = leaf.binding;
                if path.last().map(String::as_str) == Some("self") {
                    path.pop();
                    if binding.as_deref() == Some("self") {
                        binding = path.last().cloned();
                    }
                }
                let Some(abs) = absolute(&path, &here, &aliases, modules) else {
                    continue;
                };
                match binding {
                    Some(name) if is_module(&abs) => {
                        aliases.insert(name, abs);
                    }
                    _ => use_leaves.push((start, abs, path.is_empty())),
                }
            }
            k = at;
        }
        k += 1;
    }

    let mut found: BTreeMap<usize, Import> = BTreeMap::new();
    let mut add = |target: usize, line: usize, text: String| {
        if target != me {
            found.entry(target).or_insert(Import { line, text });
        }
    };
    for (token, abs, _) in &use_leaves {
        add(
            file_of(abs),
            toks[*token].1,
            format!("use crate::{}", abs.join("::")),
        );
    }
    // A name bound to a module by `use` and also written alone (`compile(...)`) is an item of
    // the same name re-exported with it: an import of that module's file.
    for (k, (tok, line)) in toks.iter().enumerate() {
        let Tok::Ident(name) = tok else { continue };
        let Some(target) = aliases.get(name) else {
            continue;
        };
        let after_sep = k > 0 && matches!(toks[k - 1].0, Tok::PathSep | Tok::Punct('.'));
        let before_sep = toks.get(k + 1).map(|t| &t.0) == Some(&Tok::PathSep);
        if !in_use[k] && !after_sep && !before_sep {
            add(
                file_of(target),
                *line,
                format!("{name} (crate::{})", target.join("::")),
            );
        }
    }
    // Paths written in code: an identifier not preceded by `::`, followed by `::`.
    for k in 0..toks.len() {
        if in_use[k] {
            continue;
        }
        let Tok::Ident(first) = &toks[k].0 else {
            continue;
        };
        if k > 0 && toks[k - 1].0 == Tok::PathSep {
            continue;
        }
        if toks.get(k + 1).map(|t| &t.0) != Some(&Tok::PathSep) {
            continue;
        }
        let mut path = vec![first.clone()];
        let mut at = k + 1;
        while toks.get(at).map(|t| &t.0) == Some(&Tok::PathSep) {
            match toks.get(at + 1).map(|t| &t.0) {
                Some(Tok::Ident(seg)) => {
                    path.push(seg.clone());
                    at += 2;
                }
                _ => break,
            }
        }
        if let Some(abs) = absolute(&path, &current(k), &aliases, modules) {
            add(
                file_of(&abs),
                toks[k].1,
                format!("{} (crate::{})", path.join("::"), abs.join("::")),
            );
        }
    }
    found
}

/// For each token, the inline modules (`mod tests { ... }`) it sits in, outermost first.
fn inline_scopes(toks: &[(Tok, usize)]) -> Vec<Vec<String>> {
    let mut scope_at: Vec<Vec<String>> = Vec::with_capacity(toks.len());
    // (name, brace depth inside it)
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut pending: Option<String> = None;
    for (k, (tok, _)) in toks.iter().enumerate() {
        scope_at.push(stack.iter().map(|(n, _)| n.clone()).collect());
        match tok {
            Tok::Ident(kw) if kw == "mod" => {
                if let Some((Tok::Ident(name), _)) = toks.get(k + 1)
                    && toks.get(k + 2).map(|t| &t.0) == Some(&Tok::Punct('{'))
                {
                    pending = Some(name.clone());
                }
            }
            Tok::Punct('{') => {
                depth += 1;
                if let Some(name) = pending.take() {
                    stack.push((name, depth));
                }
            }
            Tok::Punct('}') => {
                if stack.last().is_some_and(|(_, d)| *d == depth) {
                    stack.pop();
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    scope_at
}

/// Whether the `use` at `toks[k]` is `pub use` or `pub(...) use`.
fn is_public_use(toks: &[(Tok, usize)], k: usize) -> bool {
    let ident = |at: usize, name: &str| matches!(&toks[at].0, Tok::Ident(n) if n == name);
    (k >= 1 && ident(k - 1, "pub"))
        || (k >= 4 && toks[k - 1].0 == Tok::Punct(')') && ident(k - 4, "pub"))
        || (k >= 5 && toks[k - 1].0 == Tok::Punct(')') && ident(k - 5, "pub"))
}

/// The names the crate root re-exports (`pub use a::B;` → `B` is `a::B`), so that
/// `crate::B` is charged to `a.rs`, not to the root.
fn root_facade(text: &str, modules: &HashMap<Vec<String>, usize>) -> HashMap<String, Vec<String>> {
    let toks = tokenize(text);
    let mut facade = HashMap::new();
    let mut depth = 0usize;
    for k in 0..toks.len() {
        match toks[k].0 {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && toks[k].0 == Tok::Ident("use".into()) && is_public_use(&toks, k) {
            let mut at = k + 1;
            let mut leaves = Vec::new();
            parse_use_tree(&toks, &mut at, &[], &mut leaves);
            for leaf in leaves {
                let (Some(name), Some(abs)) = (
                    leaf.binding,
                    absolute(&leaf.path, &[], &HashMap::new(), modules),
                ) else {
                    continue;
                };
                facade.insert(name, abs);
            }
        }
    }
    facade
}

/// A path as written in module `here`, made crate-absolute; `None` when it leaves the crate
/// (another crate, std) or names nothing of ours.
fn absolute(
    path: &[String],
    here: &[String],
    aliases: &HashMap<String, Vec<String>>,
    modules: &HashMap<Vec<String>, usize>,
) -> Option<Vec<String>> {
    let (first, rest) = path.split_first()?;
    match first.as_str() {
        "crate" => Some(rest.to_vec()),
        "self" => Some([here, rest].concat()),
        "super" => {
            let mut base = here.to_vec();
            base.pop();
            let mut rest = rest;
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
            Some([base.as_slice(), rest].concat())
        }
        _ => {
            if let Some(target) = aliases.get(first) {
                return Some([target.as_slice(), rest].concat());
            }
            let child = [here, &path[..1]].concat();
            modules.contains_key(&child).then(|| [here, path].concat())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_of(files: &[(&str, &str)]) -> Vec<String> {
        let files: Vec<(String, String)> = files
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect();
        cycles(&files)
    }

    #[test]
    fn a_two_file_cycle_is_found_with_its_lines() {
        let found = crate_of(&[
            ("lib.rs", "mod a;\nmod b;\n"),
            ("a.rs", "use crate::b::B;\npub struct A;\n"),
            (
                "b.rs",
                "pub struct B;\n\nfn f() -> crate::a::A { todo!() }\n",
            ),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("a.rs -> b.rs (1: use crate::b::B) -> a.rs (3:"),
            "{}",
            found[0]
        );
    }

    #[test]
    fn a_longer_cycle_and_super_paths_are_found() {
        let found = crate_of(&[
            ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
            ("a.rs", "use super::b::B;\n"),
            ("b.rs", "use crate::c::{self, Other};\nfn f() { c::g(); }\n"),
            ("c.rs", "fn g() { crate::a::h() }\n"),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("a.rs -> b.rs"), "{}", found[0]);
        assert!(found[0].contains("-> c.rs"), "{}", found[0]);
    }

    #[test]
    fn a_parent_re_export_counts_as_the_parent() {
        // batch/mod.rs re-exports tally's Tally and runs the child `run`; run imports the
        // re-export, so it imports mod.rs, which imports it: a cycle.
        let found = crate_of(&[
            ("lib.rs", "mod batch;\n"),
            (
                "batch/mod.rs",
                "mod run;\nmod tally;\npub use tally::Tally;\nfn go() { run::go() }\n",
            ),
            ("batch/run.rs", "use super::Tally;\npub fn go() {}\n"),
            ("batch/tally.rs", "pub struct Tally;\n"),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("batch/mod.rs -> batch/run.rs"),
            "{}",
            found[0]
        );
        // Importing from the defining file instead breaks it.
        let found = crate_of(&[
            ("lib.rs", "mod batch;\n"),
            (
                "batch/mod.rs",
                "mod run;\nmod tally;\npub use tally::Tally;\nfn go() { run::go() }\n",
            ),
            ("batch/run.rs", "use super::tally::Tally;\npub fn go() {}\n"),
            ("batch/tally.rs", "pub struct Tally;\n"),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn declarations_comments_strings_and_test_modules_of_the_same_file_are_not_imports() {
        let found = crate_of(&[
            ("lib.rs", "mod a;\nmod b;\npub use a::A;\n"),
            (
                "a.rs",
                "// crate::b::x\n/* crate::b /* nested */ crate::b */\npub struct A;\n\
                 const S: &str = \"crate::b::x\";\nconst R: &str = r#\"crate::b\"#;\n\
                 const C: char = '\"'; fn l<'a>(x: &'a str) {}\n\
                 #[cfg(test)]\nmod tests {\n    use super::*;\n    use super::A;\n}\n",
            ),
            ("b.rs", "use crate::a::A;\nuse std::fmt::Write;\n"),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn an_inline_module_importing_its_files_sibling_is_an_import_of_the_file() {
        let found = crate_of(&[
            ("lib.rs", "mod a;\nmod b;\n"),
            (
                "a.rs",
                "pub struct A;\n#[cfg(test)]\nmod tests {\n    use crate::b::helper;\n}\n",
            ),
            ("b.rs", "pub fn helper() {}\nfn f(_: super::a::A) {}\n"),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
    }

    /// Cycles left to the work that owns their crate (each line: how the report begins). An
    /// entry here is a debt, not a permission: remove it with the fix.
    const KNOWN: &[&str] = &[];

    #[test]
    fn the_workspace_has_no_import_cycles() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask sits in the workspace");
        let full = workspace_report(root).expect("the sources are readable");
        let report: String = full
            .lines()
            .filter(|line| !KNOWN.iter().any(|known| line.starts_with(known)))
            .map(|line| format!("{line}\n"))
            .collect();
        for known in KNOWN {
            if !full.lines().any(|line| line.starts_with(known)) {
                eprintln!("import cycle `{known}` is gone: remove it from KNOWN");
            }
        }
        assert!(
            report.is_empty(),
            "no file may import a file that imports it back (move the shared piece to its own \
             module); `cargo xtask cycles` prints the same:\n{report}"
        );
    }
}
