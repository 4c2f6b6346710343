//! Walking a policy document as [`super::json_span`] read it: its
//! statements and their elements, with the Access Analyzer path to each.

use super::findings::PathElement;
use super::json_span::{Json, Member, Node};
use crate::grammar::Negatable;

/// One statement: its position in a `Statement` array (`None` when
/// `Statement` is a single object) and its node.
#[derive(Debug, Clone, Copy)]
pub struct StatementRef<'a> {
    pub index: Option<usize>,
    pub node: &'a Node,
}

impl<'a> StatementRef<'a> {
    /// `["Statement", index]`, or `["Statement"]` for a single object.
    pub fn path(&self) -> Vec<PathElement> {
        let mut path = vec![PathElement::Value("Statement".into())];
        path.extend(self.index.map(PathElement::Index));
        path
    }

    /// The path to one of the statement's elements.
    pub fn element_path(&self, element: &str) -> Vec<PathElement> {
        let mut path = self.path();
        path.push(PathElement::Value(element.into()));
        path
    }

    pub fn member(&self, name: &str) -> Option<&'a Member> {
        self.node.get(name)
    }

    /// `Action` or `NotAction` (whichever comes first), and whether negated.
    pub fn either(&self, element: Negatable) -> Option<(&'a Member, bool)> {
        let (name, not) = (element.name(), element.negated_name());
        self.node
            .as_object()?
            .iter()
            .find(|m| m.key == name || m.key == not)
            .map(|m| (m, m.key != name))
    }

    /// The 1-based number the emulator's own words use ("statement 2").
    pub fn number(&self) -> usize {
        self.index.map_or(1, |i| i + 1)
    }
}

/// The statements of a policy document (objects only; other items are
/// reported by the syntax checks).
pub fn statements(root: &Node) -> Vec<StatementRef<'_>> {
    match root.get("Statement").map(|m| &m.value) {
        Some(
            node @ Node {
                value: Json::Object(_),
                ..
            },
        ) => vec![StatementRef { index: None, node }],
        Some(Node {
            value: Json::Array(items),
            ..
        }) => items
            .iter()
            .enumerate()
            .filter(|(_, n)| n.as_object().is_some())
            .map(|(i, node)| StatementRef { index: Some(i), node })
            .collect(),
        _ => Vec::new(),
    }
}

/// One string of a string-or-array element (`Action`, `Resource`, …).
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    /// The position in the array; `None` when the element is one string.
    pub index: Option<usize>,
    pub text: &'a str,
    pub node: &'a Node,
}

impl Item<'_> {
    /// The path to this item under `element_path`.
    pub fn path(&self, mut element_path: Vec<PathElement>) -> Vec<PathElement> {
        element_path.extend(self.index.map(PathElement::Index));
        element_path
    }
}

/// The strings of a string-or-array-of-strings element; `None` when the
/// element has another shape.
pub fn string_items(node: &Node) -> Option<Vec<Item<'_>>> {
    match &node.value {
        Json::String(text) => Some(vec![Item {
            index: None,
            text,
            node,
        }]),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, node)| {
                node.as_str().map(|text| Item {
                    index: Some(i),
                    text,
                    node,
                })
            })
            .collect(),
        _ => None,
    }
}

/// Does the text hold a `${…}` policy variable?
pub fn has_variable(text: &str) -> bool {
    crate::variables::has_variables(text)
}

/// Does any `Resource`/`NotResource` or condition value of the document
/// use a policy variable?
pub fn uses_variables(root: &Node) -> bool {
    statements(root).iter().any(|s| {
        let resources = s
            .either(Negatable::Resource)
            .and_then(|(m, _)| string_items(&m.value))
            .is_some_and(|items| items.iter().any(|i| has_variable(i.text)));
        resources || s.member("Condition").is_some_and(|c| node_has_variable(&c.value))
    })
}

fn node_has_variable(node: &Node) -> bool {
    match &node.value {
        Json::String(s) => has_variable(s),
        Json::Array(items) => items.iter().any(node_has_variable),
        Json::Object(members) => members.iter().any(|m| node_has_variable(&m.value)),
        _ => false,
    }
}
