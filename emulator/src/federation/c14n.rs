//! An XML document as a tree, and Exclusive XML Canonicalization 1.0
//! (<http://www.w3.org/2001/10/xml-exc-c14n#>) of one of its elements:
//! what XML-DSig digests and signs in a SAML response.
//!
//! The canonical form, as the recommendation defines it: comments and
//! processing instructions dropped; empty elements written as start and
//! end tags; attributes in double quotes, sorted by namespace URI then
//! local name (unqualified ones first); on each element only the
//! namespace declarations it *visibly utilizes* (its own prefix and its
//! attributes' prefixes, plus an `InclusiveNamespaces PrefixList`) that
//! an output ancestor has not already declared the same way, sorted by
//! prefix; text and attribute values escaped as the recommendation says.
//! A DTD is refused (no entity expansion), and so is nesting deeper than
//! [`MAX_DEPTH`] (canonicalization walks the tree recursively: an
//! unbounded depth would overflow the stack of the thread serving the
//! request).

use quick_xml::events::{BytesStart, Event};

/// One node of the tree.
#[derive(Debug, Clone)]
pub enum Node {
    Element(Element),
    Text(String),
}

/// An element: its qualified name as written, its namespace declarations
/// (`xmlns`, `xmlns:p`; prefix `""` is the default namespace), its other
/// attributes (values unescaped) and its children (indexes into the tree).
#[derive(Debug, Clone, Default)]
pub struct Element {
    pub name: String,
    pub namespaces: Vec<(String, String)>,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<usize>,
    pub parent: Option<usize>,
}

/// A parsed document: `nodes[root]` is the document element.
#[derive(Debug, Clone)]
pub struct Document {
    pub nodes: Vec<Node>,
    pub root: usize,
}

/// The prefix of a qualified name (`""` when none).
pub fn prefix(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(p, _)| p)
}

/// The local part of a qualified name.
pub fn local(qname: &str) -> &str {
    qname.split_once(':').map_or(qname, |(_, l)| l)
}

/// How deep elements may nest. A SAML response nests about ten deep
/// (Response, Assertion, Signature, KeyInfo, X509Data, …); this leaves
/// room for attribute values with XML content and refuses the rest.
pub const MAX_DEPTH: usize = 64;

const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

fn start_element(e: &BytesStart, parent: Option<usize>) -> Result<Element, String> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut element = Element {
        name,
        parent,
        ..Element::default()
    };
    for attribute in e.attributes() {
        let attribute = attribute.map_err(|err| format!("bad attribute: {err}"))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let value = attribute
            .unescape_value()
            .map_err(|err| format!("bad attribute value: {err}"))?
            .into_owned();
        // Attribute values are normalized by XML parsing: white space
        // characters become spaces (XML 1.0, 3.3.3), which canonical form
        // then writes as character references only where they survive.
        let value = value.replace(['\t', '\n', '\r'], " ");
        if key == "xmlns" {
            element.namespaces.push((String::new(), value));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            element.namespaces.push((p.to_string(), value));
        } else {
            element.attributes.push((key, value));
        }
    }
    Ok(element)
}

impl Document {
    /// Parses `text`; an error for anything not well-formed, a DTD, more
    /// than one document element, or elements nested deeper than [`MAX_DEPTH`].
    pub fn parse(text: &str) -> Result<Document, String> {
        let mut reader = quick_xml::Reader::from_str(text);
        let mut nodes: Vec<Node> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let mut root = None;
        loop {
            let event = reader
                .read_event()
                .map_err(|e| format!("not well-formed XML: {e}"))?;
            match event {
                Event::Start(e) => {
                    if open.len() >= MAX_DEPTH {
                        return Err(format!("elements nest deeper than {MAX_DEPTH}"));
                    }
                    let index = add_element(&mut nodes, &open, &mut root, &e)?;
                    open.push(index);
                }
                Event::Empty(e) => {
                    add_element(&mut nodes, &open, &mut root, &e)?;
                }
                Event::End(_) => {
                    open.pop();
                }
                Event::Text(t) => {
                    let Some(&parent) = open.last() else {
                        continue;
                    };
                    let text = t.xml_content().map_err(|e| format!("bad text: {e}"))?;
                    push_text(&mut nodes, parent, &text);
                }
                Event::GeneralRef(r) => {
                    let Some(&parent) = open.last() else {
                        continue;
                    };
                    let text = resolve_reference(&r)?;
                    push_text(&mut nodes, parent, &text);
                }
                Event::CData(c) => {
                    if let Some(&parent) = open.last() {
                        let text = String::from_utf8_lossy(&c.into_inner()).into_owned();
                        push_text(&mut nodes, parent, &text);
                    }
                }
                Event::DocType(_) => return Err("a DTD is not accepted".into()),
                Event::Eof => break,
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
            }
        }
        if !open.is_empty() {
            return Err("not well-formed XML: an element is not closed".into());
        }
        let root = root.ok_or("no document element")?;
        Ok(Document { nodes, root })
    }

    /// The element at `index` (the caller holds an element index).
    pub fn element(&self, index: usize) -> &Element {
        match &self.nodes[index] {
            Node::Element(e) => e,
            Node::Text(_) => unreachable_element(),
        }
    }

    /// The namespace URI `prefix` is bound to at element `index`.
    pub fn namespace_at(&self, index: usize, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NAMESPACE);
        }
        let mut at = Some(index);
        while let Some(i) = at {
            let element = self.element(i);
            if let Some((_, uri)) = element.namespaces.iter().find(|(p, _)| p == prefix) {
                return Some(uri);
            }
            at = element.parent;
        }
        None
    }

    /// The namespace URI of element `index`'s name.
    pub fn namespace_of(&self, index: usize) -> &str {
        let name = &self.element(index).name;
        self.namespace_at(index, prefix(name)).unwrap_or_default()
    }

    /// Whether element `index` is `{namespace}local`.
    pub fn is(&self, index: usize, namespace: &str, local_name: &str) -> bool {
        local(&self.element(index).name) == local_name && self.namespace_of(index) == namespace
    }

    /// The child elements of `index`.
    pub fn child_elements(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        self.element(index)
            .children
            .iter()
            .copied()
            .filter(|c| matches!(self.nodes[*c], Node::Element(_)))
    }

    /// The first child element `{namespace}local` of `index`.
    pub fn child(&self, index: usize, namespace: &str, local_name: &str) -> Option<usize> {
        self.child_elements(index)
            .find(|c| self.is(*c, namespace, local_name))
    }

    /// Every element `{namespace}local` of the document, in document order.
    pub fn all(&self, namespace: &str, local_name: &str) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|i| matches!(self.nodes[*i], Node::Element(_)) && self.is(*i, namespace, local_name))
            .collect()
    }

    /// An unqualified attribute's value.
    pub fn attribute(&self, index: usize, name: &str) -> Option<&str> {
        self.element(index)
            .attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text content of `index` (its text children, concatenated).
    pub fn text(&self, index: usize) -> String {
        let mut out = String::new();
        for child in &self.element(index).children {
            match &self.nodes[*child] {
                Node::Text(t) => out.push_str(t),
                Node::Element(_) => out.push_str(&self.text(*child)),
            }
        }
        out
    }

    /// Whether `index` is `ancestor` or lies inside it.
    pub fn is_within(&self, index: usize, ancestor: usize) -> bool {
        let mut at = Some(index);
        while let Some(i) = at {
            if i == ancestor {
                return true;
            }
            at = self.element(i).parent;
        }
        false
    }

    /// The exclusive canonical form of element `apex` and its content,
    /// leaving out element `omit` (an enveloped signature) when given;
    /// `inclusive` are the `InclusiveNamespaces PrefixList` prefixes.
    pub fn canonicalize(&self, apex: usize, omit: Option<usize>, inclusive: &[String]) -> String {
        let mut out = String::new();
        self.write(&mut out, apex, omit, inclusive, &[]);
        out
    }

    fn write(
        &self,
        out: &mut String,
        index: usize,
        omit: Option<usize>,
        inclusive: &[String],
        rendered: &[(String, String)],
    ) {
        if Some(index) == omit {
            return;
        }
        let element = match &self.nodes[index] {
            Node::Text(t) => {
                escape_text(out, t);
                return;
            }
            Node::Element(e) => e,
        };
        // Visibly utilized prefixes: the element's, its attributes', and
        // the inclusive list's.
        let mut utilized: Vec<&str> = vec![prefix(&element.name)];
        for (name, _) in &element.attributes {
            let p = prefix(name);
            if !p.is_empty() {
                utilized.push(p);
            }
        }
        utilized.extend(inclusive.iter().map(String::as_str));
        utilized.sort_unstable();
        utilized.dedup();
        let mut now_rendered: Vec<(String, String)> = rendered.to_vec();
        let mut declarations = Vec::new();
        for p in utilized {
            if p == "xml" {
                continue;
            }
            let uri = self.namespace_at(index, p);
            let previous = rendered.iter().find(|(q, _)| q == p).map(|(_, u)| u.as_str());
            let uri = match (p, uri) {
                // The default namespace is utilized by an unprefixed name:
                // `xmlns=""` only undoes a default an output ancestor set.
                ("", None | Some("")) => {
                    if previous.is_some_and(|u| !u.is_empty()) {
                        ""
                    } else {
                        continue;
                    }
                }
                (_, None) => continue,
                (_, Some(uri)) => uri,
            };
            if previous == Some(uri) {
                continue;
            }
            declarations.push((p, uri));
            now_rendered.retain(|(q, _)| q != p);
            now_rendered.push((p.to_string(), uri.to_string()));
        }
        out.push('<');
        out.push_str(&element.name);
        for (p, uri) in declarations {
            if p.is_empty() {
                out.push_str(" xmlns=\"");
            } else {
                out.push_str(" xmlns:");
                out.push_str(p);
                out.push_str("=\"");
            }
            escape_attribute(out, uri);
            out.push('"');
        }
        let mut attributes: Vec<(&str, &str, &str)> = element
            .attributes
            .iter()
            .map(|(name, value)| {
                let p = prefix(name);
                let uri = if p.is_empty() {
                    ""
                } else {
                    self.namespace_at(index, p).unwrap_or_default()
                };
                (uri, name.as_str(), value.as_str())
            })
            .collect();
        attributes.sort_by(|a, b| (a.0, local(a.1)).cmp(&(b.0, local(b.1))));
        for (_, name, value) in attributes {
            out.push(' ');
            out.push_str(name);
            out.push_str("=\"");
            escape_attribute(out, value);
            out.push('"');
        }
        out.push('>');
        for child in &element.children {
            self.write(out, *child, omit, inclusive, &now_rendered);
        }
        out.push_str("</");
        out.push_str(&element.name);
        out.push('>');
    }
}

#[allow(clippy::panic)]
fn unreachable_element() -> ! {
    panic!("an element index names a text node")
}

/// Adds the element a start tag opens, under the innermost open element.
fn add_element(
    nodes: &mut Vec<Node>,
    open: &[usize],
    root: &mut Option<usize>,
    e: &BytesStart,
) -> Result<usize, String> {
    let parent = open.last().copied();
    if parent.is_none() && root.is_some() {
        return Err("more than one document element".into());
    }
    let index = nodes.len();
    nodes.push(Node::Element(start_element(e, parent)?));
    match parent {
        Some(p) => children_of(nodes, p).push(index),
        None => *root = Some(index),
    }
    Ok(index)
}

fn children_of(nodes: &mut [Node], index: usize) -> &mut Vec<usize> {
    match &mut nodes[index] {
        Node::Element(e) => &mut e.children,
        Node::Text(_) => unreachable_element(),
    }
}

/// Adds text to `parent`, joined to a text node just before it.
fn push_text(nodes: &mut Vec<Node>, parent: usize, text: &str) {
    if let Some(&last) = children_of(nodes, parent).last() {
        if let Node::Text(existing) = &mut nodes[last] {
            existing.push_str(text);
            return;
        }
    }
    let index = nodes.len();
    nodes.push(Node::Text(text.to_string()));
    children_of(nodes, parent).push(index);
}

/// A character or predefined entity reference (`&amp;`, `&#x41;`).
fn resolve_reference(r: &quick_xml::events::BytesRef) -> Result<String, String> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Ok(c.to_string());
    }
    let name = String::from_utf8_lossy(r.as_ref()).into_owned();
    quick_xml::escape::resolve_xml_entity(&name)
        .map(str::to_string)
        .ok_or_else(|| format!("unknown entity &{name};"))
}

fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attribute(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}
