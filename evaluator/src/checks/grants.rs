//! Statements as sets of requests, and the two questions the checks ask of
//! them: is one such set within another, and can two of them meet?
//!
//! A statement applies to the requests whose action is in its action set,
//! whose resource is in its resource set, whose caller its principal
//! element reaches, and whose context satisfies its conditions
//! ([`crate::statement`]). A listed element (`Action`, `Resource`) is the
//! union of its patterns, so it is split into [`Atom`]s of one pattern each:
//! a statement is within a union of others when each of its atoms is within
//! one of them. A `Not…` element is the complement of its patterns' union and
//! stays whole. The caller dimension is taken witness by witness
//! ([`super::principals`]); this module compares the other three.

use super::conditions::{self, Block};
use super::language::{self, Glob, Kind, Variables, Vars};
use crate::policy::{Listed, Statement};
use std::cell::RefCell;

/// One dimension of a statement: every value, the union of some patterns,
/// or every value except those some patterns match.
#[derive(Debug, Clone, Copy)]
pub enum Dim<'p> {
    All,
    AnyOf(&'p [String]),
    NoneOf(&'p [String]),
}

impl<'p> Dim<'p> {
    pub fn of(element: Option<&'p Listed<Vec<String>>>) -> Dim<'p> {
        match element {
            None => Dim::All,
            Some(l) if l.negated => Dim::NoneOf(&l.items),
            Some(l) => Dim::AnyOf(&l.items),
        }
    }

    /// The atoms of a dimension: one per pattern of a listed element.
    fn split(self) -> Vec<Dim<'p>> {
        match self {
            Dim::AnyOf(items) => items.chunks(1).map(Dim::AnyOf).collect(),
            other => vec![other],
        }
    }
}

/// A part of a statement with at most one pattern per listed dimension.
#[derive(Debug, Clone, Copy)]
pub struct Atom<'p> {
    pub actions: Dim<'p>,
    pub resources: Dim<'p>,
    pub conditions: Block<'p>,
}

impl<'p> Atom<'p> {
    /// The statement whole, as one (possibly multi-pattern) set.
    pub fn whole(statement: &'p Statement, substitute: bool) -> Atom<'p> {
        Atom {
            actions: Dim::of(Some(&statement.action)),
            resources: Dim::of(statement.resource.as_ref()),
            conditions: Block {
                clauses: &statement.conditions,
                substitute,
            },
        }
    }

    /// The statement split into atoms.
    pub fn split(statement: &'p Statement, substitute: bool) -> Vec<Atom<'p>> {
        let whole = Atom::whole(statement, substitute);
        let mut out = Vec::new();
        for actions in whole.actions.split() {
            for resources in whole.resources.split() {
                out.push(Atom {
                    actions,
                    resources,
                    ..whole
                });
            }
        }
        out
    }
}

/// Compiles patterns for comparison, keeping one table of variables so that
/// the same variable is the same symbol in every policy compared.
#[derive(Debug, Default)]
pub struct Lens {
    variables: RefCell<Variables>,
}

impl Lens {
    fn globs(&self, patterns: &[String], kind: Kind, substitute: bool, vars: Vars) -> Vec<Glob> {
        let mut table = self.variables.borrow_mut();
        patterns
            .iter()
            .map(|p| language::compile(p, kind, substitute, vars, &mut table))
            .collect()
    }

    /// Is every value of `a` a value of `b`?
    pub fn dim_within(&self, kind: Kind, a: Dim<'_>, a_sub: bool, b: Dim<'_>, b_sub: bool) -> bool {
        let symbols = |d: &[String], sub| self.globs(d, kind, sub, Vars::Symbols);
        let wild = |d: &[String], sub| self.globs(d, kind, sub, Vars::Wild);
        match (a, b) {
            (_, Dim::All) | (Dim::All | Dim::NoneOf(_), Dim::NoneOf([])) => true,
            // All values within the union of b's patterns.
            (Dim::All, Dim::AnyOf(q)) => language::included(&Glob::everything(), &symbols(q, b_sub)),
            // Everything except nothing is within "all but n" only if n
            // matches nothing; patterns always match something.
            (Dim::All, Dim::NoneOf(_)) => false,
            (Dim::AnyOf(p), Dim::AnyOf(q)) => {
                let q = symbols(q, b_sub);
                symbols(p, a_sub).iter().all(|p| language::included(p, &q))
            }
            // p meets none of n.
            (Dim::AnyOf(p), Dim::NoneOf(n)) => {
                let n = wild(n, b_sub);
                wild(p, a_sub)
                    .iter()
                    .all(|p| n.iter().all(|n| language::disjoint(p, n)))
            }
            // Everything outside m is in q: m and q together cover all.
            (Dim::NoneOf(m), Dim::AnyOf(q)) => {
                let mut cover = symbols(m, a_sub);
                cover.extend(symbols(q, b_sub));
                language::included(&Glob::everything(), &cover)
            }
            // Outside m is outside n: n within m.
            (Dim::NoneOf(m), Dim::NoneOf(n)) => {
                let m = symbols(m, a_sub);
                symbols(n, b_sub).iter().all(|n| language::included(n, &m))
            }
        }
    }

    /// Are `a` and `b` sure to share no value?
    pub fn dim_disjoint(&self, kind: Kind, a: Dim<'_>, a_sub: bool, b: Dim<'_>, b_sub: bool) -> bool {
        match (a, b) {
            (Dim::AnyOf(p), Dim::AnyOf(q)) => {
                let q = self.globs(q, kind, b_sub, Vars::Wild);
                self.globs(p, kind, a_sub, Vars::Wild)
                    .iter()
                    .all(|p| q.iter().all(|q| language::disjoint(p, q)))
            }
            // Disjoint from "all but n" means within n.
            (x, Dim::NoneOf(n)) => self.dim_within(kind, x, a_sub, Dim::AnyOf(n), b_sub),
            (Dim::NoneOf(m), y) => self.dim_within(kind, y, b_sub, Dim::AnyOf(m), a_sub),
            (Dim::All, Dim::AnyOf(q)) | (Dim::AnyOf(q), Dim::All) => q.is_empty(),
            (Dim::All, Dim::All) => false,
        }
    }

    /// Is every request in `a` (for one caller) also in `b`?
    pub fn within(&self, a: &Atom<'_>, b: &Atom<'_>) -> bool {
        let (a_sub, b_sub) = (a.conditions.substitute, b.conditions.substitute);
        self.dim_within(Kind::Action, a.actions, false, b.actions, false)
            && self.dim_within(Kind::Arn, a.resources, a_sub, b.resources, b_sub)
            && conditions::implies(a.conditions, b.conditions)
    }

    /// Are `a` and `b` sure never to apply to the same request? Conditions
    /// are not compared: two statements that could both be satisfied are
    /// taken to meet.
    pub fn disjoint(&self, a: &Atom<'_>, b: &Atom<'_>) -> bool {
        let (a_sub, b_sub) = (a.conditions.substitute, b.conditions.substitute);
        self.dim_disjoint(Kind::Action, a.actions, false, b.actions, false)
            || self.dim_disjoint(Kind::Arn, a.resources, a_sub, b.resources, b_sub)
    }
}
