//! The SDK's public API names no reqwest type.
//!
//! reqwest is how the SDK sends requests today, not part of its contract: an
//! application sees only the SDK's own types, `url::Url` and `http` types, so
//! the transport can change (or reqwest can take a breaking release) without
//! breaking anyone. Nothing in the compiler enforces that, and `cargo
//! public-api` or rustdoc JSON need a nightly toolchain, so this test parses
//! every file of `sdk/src` with `syn` and walks what each `pub` item exposes:
//!
//! - a function's or method's signature (arguments, return type, bounds);
//! - a struct's `pub` fields, every field of an enum's variants, every item of
//!   a trait, a type alias, a constant's or static's type;
//! - the header of every `impl` (a `From<reqwest::Error>` for a public type is
//!   exactly the leak `?` conversions invite);
//! - `pub use` re-exports.
//!
//! A path counts as reqwest when its first segment is `reqwest` or a name the
//! file imported from reqwest (`use reqwest::Client;` then `-> Client`).
//! Items restricted with `pub(crate)` / `pub(super)` and `#[cfg(test)]`
//! modules are skipped: the `unreachable_pub` lint (an error under `clippy -D
//! warnings`) already keeps plain `pub` for items users can reach.
//! `checker_catches_each_kind_of_leak` proves the check fails on each leak.

use std::collections::HashSet;
use std::path::Path;

use syn::visit::Visit;

/// Every place in `source` where a public item names reqwest, as
/// `item: path` strings.
fn leaks(source: &str) -> Vec<String> {
    let file = syn::parse_file(source).expect("the SDK's sources parse");
    let mut names = HashSet::from(["reqwest".to_owned()]);
    collect_reqwest_imports(&file.items, &mut names);
    let mut found = Vec::new();
    check_items(&file.items, &names, &mut found);
    found
}

/// The names `use` brings in from reqwest, anywhere in the file.
fn collect_reqwest_imports(items: &[syn::Item], names: &mut HashSet<String>) {
    for item in items {
        match item {
            syn::Item::Use(u) => imported(&u.tree, false, names),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    collect_reqwest_imports(inner, names);
                }
            }
            _ => {}
        }
    }
}

fn imported(tree: &syn::UseTree, under_reqwest: bool, names: &mut HashSet<String>) {
    match tree {
        syn::UseTree::Path(p) => imported(&p.tree, under_reqwest || p.ident == "reqwest", names),
        syn::UseTree::Name(n) if under_reqwest || n.ident == "reqwest" => {
            names.insert(n.ident.to_string());
        }
        syn::UseTree::Rename(r) if under_reqwest || r.ident == "reqwest" => {
            names.insert(r.rename.to_string());
        }
        syn::UseTree::Group(g) => {
            for t in &g.items {
                imported(t, under_reqwest, names);
            }
        }
        _ => {}
    }
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

/// Finds reqwest paths in whatever it is given to visit.
struct Finder<'n> {
    names: &'n HashSet<String>,
    item: String,
    found: Vec<String>,
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if let Some(first) = path.segments.first()
            && self.names.contains(&first.ident.to_string())
        {
            let shown: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            self.found
                .push(format!("{}: {}", self.item, shown.join("::")));
        }
        syn::visit::visit_path(self, path);
    }
}

fn check_items(items: &[syn::Item], names: &HashSet<String>, found: &mut Vec<String>) {
    for item in items {
        let finder = |label: String| Finder {
            names,
            item: label,
            found: Vec::new(),
        };
        let finders: Vec<Finder> = match item {
            syn::Item::Fn(f) if is_pub(&f.vis) => {
                let mut v = finder(format!("fn {}", f.sig.ident));
                v.visit_signature(&f.sig);
                vec![v]
            }
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                let mut v = finder(format!("struct {}", s.ident));
                v.visit_generics(&s.generics);
                for field in s.fields.iter().filter(|field| is_pub(&field.vis)) {
                    v.visit_type(&field.ty);
                }
                vec![v]
            }
            syn::Item::Enum(e) if is_pub(&e.vis) => {
                let mut v = finder(format!("enum {}", e.ident));
                v.visit_item_enum(e);
                vec![v]
            }
            syn::Item::Trait(t) if is_pub(&t.vis) => {
                let mut v = finder(format!("trait {}", t.ident));
                v.visit_item_trait(t);
                vec![v]
            }
            syn::Item::Type(t) if is_pub(&t.vis) => {
                let mut v = finder(format!("type {}", t.ident));
                v.visit_item_type(t);
                vec![v]
            }
            syn::Item::Const(c) if is_pub(&c.vis) => {
                let mut v = finder(format!("const {}", c.ident));
                v.visit_type(&c.ty);
                vec![v]
            }
            syn::Item::Static(s) if is_pub(&s.vis) => {
                let mut v = finder(format!("static {}", s.ident));
                v.visit_type(&s.ty);
                vec![v]
            }
            syn::Item::Use(u) if is_pub(&u.vis) => {
                let mut via = HashSet::new();
                imported(&u.tree, false, &mut via);
                if !via.is_empty() {
                    found.push(format!("pub use of reqwest: {via:?}"));
                }
                Vec::new()
            }
            syn::Item::Impl(i) => {
                let mut header = finder("impl header".to_owned());
                header.visit_generics(&i.generics);
                if let Some((_, trait_path, _)) = &i.trait_ {
                    header.visit_path(trait_path);
                }
                header.visit_type(&i.self_ty);
                let mut all = vec![header];
                for inner in &i.items {
                    if let syn::ImplItem::Fn(m) = inner
                        && (is_pub(&m.vis) || i.trait_.is_some())
                    {
                        let mut v = finder(format!("method {}", m.sig.ident));
                        v.visit_signature(&m.sig);
                        all.push(v);
                    }
                }
                all
            }
            syn::Item::Mod(m) if !is_cfg_test(&m.attrs) => {
                if let Some((_, inner)) = &m.content {
                    check_items(inner, names, found);
                }
                Vec::new()
            }
            _ => Vec::new(),
        };
        for f in finders {
            found.extend(f.found);
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_public_item_names_a_reqwest_type() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "found the sources: {files:?}");
    let mut all = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for leak in leaks(&text) {
            all.push(format!("{}: {leak}", file.display()));
        }
    }
    assert!(
        all.is_empty(),
        "the public API names reqwest; wrap it in an SDK type:\n{}",
        all.join("\n")
    );
}

#[test]
fn checker_catches_each_kind_of_leak() {
    let cases = [
        "pub fn x() -> reqwest::Client { todo!() }",
        "pub struct S { pub client: reqwest::Client }",
        "pub struct S(pub reqwest::Error);",
        "pub enum E { Transport(reqwest::Error) }",
        "pub trait T { fn client(&self) -> &reqwest::Client; }",
        "pub type C = reqwest::Client;",
        "pub use reqwest::Client;",
        "pub use reqwest;",
        "pub struct E; impl From<reqwest::Error> for E { fn from(_: reqwest::Error) -> Self { E } }",
        "pub struct S; impl S { pub fn client(&self) -> reqwest::Client { todo!() } }",
        "use reqwest::Client; pub fn x() -> Client { todo!() }",
        "use reqwest as rq; pub fn x(_: rq::Request) {}",
        "pub mod inner { pub fn x() -> Option<reqwest::Response> { None } }",
        "pub fn x<T: Into<reqwest::Body>>(_: T) {}",
    ];
    for case in cases {
        assert!(!leaks(case).is_empty(), "not caught: {case}");
    }
    let fine = [
        "pub struct TransportError(pub(crate) reqwest::Error);",
        "pub(crate) fn client() -> reqwest::Client { todo!() }",
        "pub struct S { client: reqwest::Client }",
        "pub fn send() { let _ = reqwest::Client::new(); }",
        "#[cfg(test)] mod tests { pub fn x() -> reqwest::Client { todo!() } }",
        "/// Not a reqwest::Client.\npub fn x() -> http::Request<Vec<u8>> { todo!() }",
    ];
    for case in fine {
        assert_eq!(leaks(case), Vec::<String>::new(), "{case}");
    }
}
