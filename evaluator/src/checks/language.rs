//! The languages of wildcard patterns, and questions about them: is every
//! string one pattern matches also matched by one of these others? Do two
//! patterns match a common string?
//!
//! The custom policy checks compare policies by what their patterns can
//! match, never by their text. A pattern reads as the evaluator reads it:
//! - an action pattern as [`crate::wildcard::matches`] with case folded:
//!   `*` any run, `?` one character;
//! - a condition value as `StringLike` does (case kept);
//! - an ARN pattern as [`crate::arn::matches`]: `*` and `?` stay inside one
//!   of the first five colon-separated fields, and the last field of the
//!   pattern matches the rest of the ARN, colons included.
//!
//! A policy variable (`${aws:username}`) in a policy that substitutes them
//! is read one of two ways. As a **symbol**: a letter of its own, the same
//! letter wherever the same variable appears, which only a literal occurrence
//! of that variable or a `*` that may cross colons can match. A yes to
//! "is A within B" over symbols stays true for every value the variable can
//! take (B matches the symbol either with the same variable, which becomes
//! the same text, or with a `*`, which matches any text), so inclusion is
//! asked over symbols. As a **wildcard** (`*`): every string the substituted
//! pattern can match is matched, so "do A and B meet" is asked that way.
//!
//! The answer comes from a search over pairs of automaton states (one
//! subset construction per side), over an alphabet of the characters the
//! patterns name, `:`, the variables' symbols and one character standing
//! for every other. The search gives up past [`MAX_STATES`] pairs; callers
//! then assume the unfavourable answer, which keeps every check sound.

use std::collections::{HashMap, VecDeque};

/// Pairs of states explored before the search gives up.
pub const MAX_STATES: usize = 20_000;

/// How a pattern's text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An `Action` / `NotAction` pattern: case-insensitive glob.
    Action,
    /// A `StringLike` value: case-sensitive glob.
    Text,
    /// A `Resource` / `NotResource` pattern or an `ArnLike` value.
    Arn,
}

/// How `${…}` in a substituting policy is read (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vars {
    Symbols,
    Wild,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Tok {
    Lit(char),
    /// A policy variable, by its number in the [`Alphabet`]'s table.
    Var(u16),
    /// `*` that may cross colons.
    Any,
    /// `*` inside one ARN field.
    AnyInField,
    /// `?`.
    One,
    /// `?` inside one ARN field.
    OneInField,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob(Vec<Tok>);

impl Glob {
    /// The pattern that matches every string (`*`).
    pub fn everything() -> Glob {
        Glob(vec![Tok::Any])
    }
}

/// The variables met so far, so that one variable is one symbol across
/// every pattern compared with it.
#[derive(Debug, Default)]
pub struct Variables {
    names: Vec<String>,
}

impl Variables {
    fn symbol(&mut self, inner: &str) -> u16 {
        // Keys are case-insensitive; a default is part of what the variable
        // reads as, so `${k}` and `${k, 'd'}` are different symbols.
        let name = match inner.split_once(',') {
            Some((key, default)) => format!("{},{}", key.trim().to_ascii_lowercase(), default.trim()),
            None => inner.trim().to_ascii_lowercase(),
        };
        let at = self.names.iter().position(|n| *n == name).unwrap_or_else(|| {
            self.names.push(name);
            self.names.len() - 1
        });
        u16::try_from(at).unwrap_or(u16::MAX)
    }
}

/// Compiles `pattern`. `substitute`: the policy substitutes variables
/// (`Version` 2012-10-17); then `${…}` is read as `vars` says, where the
/// evaluator substitutes it (in an ARN, only after the fifth colon).
pub fn compile(pattern: &str, kind: Kind, substitute: bool, vars: Vars, table: &mut Variables) -> Glob {
    let mut toks = Vec::with_capacity(pattern.len());
    match kind {
        Kind::Action => {
            for c in pattern.chars() {
                toks.push(wild(c.to_ascii_lowercase(), false));
            }
        }
        Kind::Text => push_field(&mut toks, pattern, false, substitute.then_some((vars, table))),
        Kind::Arn => {
            let fields: Vec<&str> = pattern.splitn(6, ':').collect();
            let last = fields.len() - 1;
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    toks.push(Tok::Lit(':'));
                }
                if i < last {
                    push_field(&mut toks, field, true, None);
                } else {
                    // Variables are substituted only in the resource part,
                    // after the fifth colon ([`crate::variables`]).
                    let resource_part = fields.len() == 6 && substitute;
                    push_field(
                        &mut toks,
                        field,
                        false,
                        resource_part.then_some((vars, &mut *table)),
                    );
                }
            }
        }
    }
    Glob(toks)
}

fn wild(c: char, in_field: bool) -> Tok {
    match (c, in_field) {
        ('*', false) => Tok::Any,
        ('*', true) => Tok::AnyInField,
        ('?', false) => Tok::One,
        ('?', true) => Tok::OneInField,
        (other, _) => Tok::Lit(other),
    }
}

/// Pushes one field's text; with `vars`, `${…}` is a variable (as
/// [`crate::variables`] walks it: up to the next `}`; unclosed is text).
fn push_field(toks: &mut Vec<Tok>, text: &str, in_field: bool, mut vars: Option<(Vars, &mut Variables)>) {
    let mut rest = text;
    if let Some((mode, table)) = vars.as_mut() {
        while let Some(start) = rest.find("${") {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            toks.extend(rest[..start].chars().map(|c| wild(c, in_field)));
            let inner = rest[start + 2..start + len].trim();
            toks.push(match inner {
                "*" => Tok::Lit('*'),
                "?" => Tok::Lit('?'),
                "$" => Tok::Lit('$'),
                _ if *mode == Vars::Wild => Tok::Any,
                _ => Tok::Var(table.symbol(inner)),
            });
            rest = &rest[start + len + 1..];
        }
    }
    toks.extend(rest.chars().map(|c| wild(c, in_field)));
}

/// One letter of the search's alphabet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Sym {
    Char(char),
    Var(u16),
}

impl Tok {
    /// `Some(true)`: consumes `sym` and moves on; `Some(false)`: consumes
    /// it and stays (a star); `None`: cannot read it.
    fn reads(self, sym: Sym) -> Option<bool> {
        match (self, sym) {
            (Tok::Lit(c), Sym::Char(s)) if c == s => Some(true),
            (Tok::Var(v), Sym::Var(s)) if v == s => Some(true),
            (Tok::Any, _) => Some(false),
            (Tok::AnyInField, Sym::Char(c)) if c != ':' => Some(false),
            (Tok::One, Sym::Char(_)) => Some(true),
            (Tok::OneInField, Sym::Char(c)) if c != ':' => Some(true),
            _ => None,
        }
    }
}

/// A set of positions in a union of globs: `(glob << 16) | position`, sorted.
type States = Vec<u32>;

fn pack(glob: usize, pos: usize) -> u32 {
    u32::try_from((glob << 16) | pos).unwrap_or(u32::MAX)
}

fn unpack(state: u32) -> (usize, usize) {
    ((state >> 16) as usize, (state & 0xFFFF) as usize)
}

/// Adds `pos` and every position a run of stars lets it skip to.
fn close(globs: &[&Glob], glob: usize, mut pos: usize, out: &mut States) {
    let toks = &globs[glob].0;
    loop {
        out.push(pack(glob, pos));
        match toks.get(pos) {
            Some(Tok::Any | Tok::AnyInField) => pos += 1,
            _ => break,
        }
    }
}

fn start(globs: &[&Glob]) -> States {
    let mut out = Vec::new();
    for g in 0..globs.len() {
        close(globs, g, 0, &mut out);
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn step(globs: &[&Glob], states: &States, sym: Sym) -> States {
    let mut out = Vec::new();
    for &s in states {
        let (g, pos) = unpack(s);
        match globs[g].0.get(pos).and_then(|t| t.reads(sym)) {
            Some(true) => close(globs, g, pos + 1, &mut out),
            Some(false) => close(globs, g, pos, &mut out),
            None => {}
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn accepting(globs: &[&Glob], states: &States) -> bool {
    states.iter().any(|&s| {
        let (g, pos) = unpack(s);
        pos == globs[g].0.len()
    })
}

/// The alphabet of a search: every literal character, `:`, every symbol,
/// and one character none of the patterns names (standing for all others).
fn alphabet(globs: &[&Glob]) -> Vec<Sym> {
    let mut chars: Vec<char> = vec![':'];
    let mut vars: Vec<u16> = Vec::new();
    for glob in globs {
        for tok in &glob.0 {
            match *tok {
                Tok::Lit(c) => chars.push(c),
                Tok::Var(v) => vars.push(v),
                _ => {}
            }
        }
    }
    chars.sort_unstable();
    chars.dedup();
    vars.sort_unstable();
    vars.dedup();
    let other = "#%~_0123456789abcdefghijklmnopqrstuvwxyz"
        .chars()
        .chain(('\u{E000}'..='\u{F8FF}').take(64))
        .find(|c| chars.binary_search(c).is_err())
        .unwrap_or('\u{F8FF}');
    chars.push(other);
    chars
        .into_iter()
        .map(Sym::Char)
        .chain(vars.into_iter().map(Sym::Var))
        .collect()
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// A string with the property sought; variables are shown as `${#n}`.
    Found(String),
    /// No string has it.
    None,
    /// Too many states to tell.
    GaveUp,
}

#[derive(Clone, Copy)]
enum Goal {
    /// Matched on the left, by none on the right.
    Escape,
    /// Matched on both sides.
    Meet,
}

fn search(left: &[&Glob], right: &[&Glob], goal: Goal) -> Search {
    let all: Vec<&Glob> = left.iter().chain(right).copied().collect();
    let letters = alphabet(&all);
    let first = (start(left), start(right));
    let mut parent: Parents = HashMap::new();
    let mut queue = VecDeque::new();
    parent.insert(first.clone(), None);
    queue.push_back(first);
    while let Some(pair) = queue.pop_front() {
        let (l, r) = &pair;
        let hit = match goal {
            Goal::Escape => accepting(left, l) && !accepting(right, r),
            Goal::Meet => accepting(left, l) && accepting(right, r),
        };
        if hit {
            return Search::Found(word(&parent, &pair));
        }
        for &sym in &letters {
            let next_l = step(left, l, sym);
            if next_l.is_empty() {
                continue;
            }
            let next_r = step(right, r, sym);
            if matches!(goal, Goal::Meet) && next_r.is_empty() {
                continue;
            }
            let next = (next_l, next_r);
            if parent.contains_key(&next) {
                continue;
            }
            if parent.len() >= MAX_STATES {
                return Search::GaveUp;
            }
            parent.insert(next.clone(), Some((pair.clone(), sym)));
            queue.push_back(next);
        }
    }
    Search::None
}

type Parents = HashMap<(States, States), Option<((States, States), Sym)>>;

fn word(parent: &Parents, end: &(States, States)) -> String {
    let mut letters = Vec::new();
    let mut at = end.clone();
    while let Some(Some((before, sym))) = parent.get(&at) {
        letters.push(*sym);
        at = before.clone();
    }
    letters
        .iter()
        .rev()
        .map(|s| match s {
            Sym::Char(c) => c.to_string(),
            Sym::Var(v) => format!("${{#{v}}}"),
        })
        .collect()
}

/// A string `pattern` matches that none of `within` does, if any.
pub fn escape(pattern: &Glob, within: &[Glob]) -> Search {
    let right: Vec<&Glob> = within.iter().collect();
    search(&[pattern], &right, Goal::Escape)
}

/// Does every string `pattern` matches match one of `within`? A search
/// that gives up answers no.
pub fn included(pattern: &Glob, within: &[Glob]) -> bool {
    escape(pattern, within) == Search::None
}

/// A string both patterns match, if any.
pub fn meeting(a: &Glob, b: &Glob) -> Search {
    search(&[a], &[b], Goal::Meet)
}

/// Is there no string both patterns match? A search that gives up answers no.
pub fn disjoint(a: &Glob, b: &Glob) -> bool {
    meeting(a, b) == Search::None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(kind: Kind, p: &str) -> Glob {
        compile(p, kind, true, Vars::Symbols, &mut Variables::default())
    }

    fn inc(kind: Kind, p: &str, q: &[&str]) -> bool {
        let mut table = Variables::default();
        let p = compile(p, kind, true, Vars::Symbols, &mut table);
        let q: Vec<Glob> = q
            .iter()
            .map(|q| compile(q, kind, true, Vars::Symbols, &mut table))
            .collect();
        included(&p, &q)
    }

    #[test]
    fn action_inclusion_follows_wildcards_and_case() {
        assert!(inc(Kind::Action, "s3:GetObject", &["s3:get*"]));
        assert!(inc(Kind::Action, "s3:Get*", &["S3:*"]));
        assert!(!inc(Kind::Action, "s3:*", &["s3:Get*", "s3:Put*"]));
        assert!(inc(
            Kind::Action,
            "s3:?etObject",
            &["s3:GetObject", "s3:*etObject"]
        ));
        assert!(!inc(
            Kind::Action,
            "s3:?etObject",
            &["s3:GetObject", "s3:SetObject"]
        ));
        assert!(inc(Kind::Action, "*", &["*"]));
        assert!(!inc(Kind::Action, "*", &["s3:*"]));
    }

    #[test]
    fn a_union_can_cover_what_no_single_pattern_does() {
        assert!(inc(Kind::Action, "s3:Get*", &["s3:Get", "s3:Get?*"]));
    }

    #[test]
    fn arn_fields_bound_wildcards_except_in_the_last() {
        assert!(inc(Kind::Arn, "arn:aws:s3:::b/*", &["arn:aws:s3:::*"]));
        assert!(inc(Kind::Arn, "arn:aws:s3:::b/k", &["arn:aws:s3:*"]));
        assert!(!inc(Kind::Arn, "arn:aws:s3:*", &["arn:aws:s3:*:*:*"]));
        assert!(inc(Kind::Arn, "arn:aws:s3:*:*:*", &["arn:aws:s3:*"]));
        assert!(!inc(
            Kind::Arn,
            "arn:aws:sqs:*:111111111111:q",
            &["arn:aws:sqs:us-*:*:q"]
        ));
    }

    #[test]
    fn variables_are_symbols_for_inclusion() {
        assert!(inc(
            Kind::Arn,
            "arn:aws:s3:::b/${aws:username}/x",
            &["arn:aws:s3:::b/${AWS:UserName}/*"]
        ));
        assert!(inc(
            Kind::Arn,
            "arn:aws:s3:::b/${aws:username}/x",
            &["arn:aws:s3:::b/*"]
        ));
        assert!(!inc(
            Kind::Arn,
            "arn:aws:s3:::b/alice/x",
            &["arn:aws:s3:::b/${aws:username}/x"]
        ));
        // `?` is one character; a value may be several.
        assert!(!inc(
            Kind::Arn,
            "arn:aws:s3:::b/${aws:username}",
            &["arn:aws:s3:::b/?"]
        ));
        assert!(inc(Kind::Arn, "arn:aws:s3:::b/${*}", &["arn:aws:s3:::b/?"]));
    }

    #[test]
    fn disjointness_reads_variables_as_wildcards() {
        let mut table = Variables::default();
        let a = compile(
            "arn:aws:s3:::b/${aws:username}",
            Kind::Arn,
            true,
            Vars::Wild,
            &mut table,
        );
        let b = compile("arn:aws:s3:::b/alice", Kind::Arn, true, Vars::Wild, &mut table);
        assert!(!disjoint(&a, &b));
        assert!(disjoint(&g(Kind::Action, "s3:Get*"), &g(Kind::Action, "s3:Put*")));
        assert!(!disjoint(
            &g(Kind::Action, "s3:*Object"),
            &g(Kind::Action, "s3:Get*")
        ));
    }

    #[test]
    fn escapes_are_real_strings() {
        let Search::Found(word) = escape(&g(Kind::Action, "s3:*"), &[g(Kind::Action, "s3:Get*")]) else {
            panic!("s3:* is not within s3:Get*");
        };
        assert!(crate::wildcard::matches("s3:*", &word, true));
        assert!(!crate::wildcard::matches("s3:Get*", &word, true));
    }
}
