//! A small XML writer: elements with escaped text, built over quick-xml's
//! escaping so that no reply can be broken by a user's input.

use quick_xml::escape::escape;

/// Builds an XML document as a string.
#[derive(Debug, Default)]
pub struct Xml {
    out: String,
}

impl Xml {
    pub fn new() -> Self {
        let mut out = String::with_capacity(1024);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        Xml { out }
    }

    /// Opens `<{name}{suffix} xmlns="ns">` (no name to format first).
    pub fn open_ns_suffixed(&mut self, name: &str, suffix: &str, namespace: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(suffix);
        self.out.push_str(" xmlns=\"");
        self.out.push_str(&escape(namespace));
        self.out.push_str("\">");
        self
    }

    /// Opens `<{name}{suffix}>`.
    pub fn open_suffixed(&mut self, name: &str, suffix: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(suffix);
        self.out.push('>');
        self
    }

    /// Closes `</{name}{suffix}>`.
    pub fn close_suffixed(&mut self, name: &str, suffix: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(suffix);
        self.out.push('>');
        self
    }

    /// Opens `<name xmlns="ns">`.
    pub fn open_ns(&mut self, name: &str, namespace: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(" xmlns=\"");
        self.out.push_str(&escape(namespace));
        self.out.push_str("\">");
        self
    }

    pub fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `<name>text</name>` with `text` escaped.
    pub fn elem(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        self.out.push_str(&escape(text));
        self.close(name)
    }

    /// `<name>text</name>` only when there is a value.
    pub fn opt(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(text) = text {
            self.elem(name, text);
        }
        self
    }

    /// Runs `body` inside `<name>…</name>`.
    pub fn with(&mut self, name: &str, body: impl FnOnce(&mut Self)) -> &mut Self {
        self.open(name);
        body(self);
        self.close(name)
    }

    /// Appends markup as it is (for fixed fragments with attributes).
    pub fn out_raw(&mut self, markup: &str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        let mut x = Xml::new();
        x.with("A", |x| {
            x.elem("B", "<&\"'>");
        });
        assert!(x.finish().ends_with("<A><B>&lt;&amp;&quot;&apos;&gt;</B></A>"));
    }
}

/// A parsed XML element tree, enough to read S3's request bodies (and to
/// keep a bucket configuration as it was sent).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child with this (local) name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child with this name.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// The trimmed text of the first child with this name.
    pub fn trimmed(&self, name: &str) -> Option<&str> {
        self.text_of(name).map(str::trim)
    }

    /// Writes the element's children (and, for a leaf, its text) into `x`.
    pub fn write_children(&self, x: &mut Xml) {
        for child in &self.children {
            child.write(x);
        }
    }

    /// Writes the element: a leaf with its text, else its children
    /// (whitespace between elements dropped).
    pub fn write(&self, x: &mut Xml) {
        if self.children.is_empty() {
            x.elem(&self.name, self.text.trim());
        } else {
            x.with(&self.name, |x| self.write_children(x));
        }
    }
}

/// Parses an XML document into its root element (namespaces dropped).
/// `None` for anything that is not well-formed XML with one root.
pub fn parse(input: &[u8]) -> Option<Element> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(input);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) => stack.push(Element {
                name: local(e.local_name().as_ref()),
                ..Element::default()
            }),
            Event::Empty(e) => {
                let element = Element {
                    name: local(e.local_name().as_ref()),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None if root.is_none() => root = Some(element),
                    None => return None,
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text
                        .push_str(&quick_xml::escape::unescape(&String::from_utf8_lossy(&t)).ok()?);
                }
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let text = match r.resolve_char_ref().ok()? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&name)?.to_string(),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::End(_) => {
                let done = stack.pop()?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None if root.is_none() => root = Some(done),
                    None => return None,
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if stack.is_empty() {
        root
    } else {
        None
    }
}

fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    #[test]
    fn reads_nested_elements() {
        let root = parse(br#"<?xml version="1.0"?><Tagging xmlns="x"><TagSet><Tag><Key>a</Key><Value>1 &amp; 2</Value></Tag><Tag><Key>b</Key><Value/></Tag></TagSet></Tagging>"#).unwrap();
        let tags: Vec<(&str, &str)> = root
            .child("TagSet")
            .unwrap()
            .all("Tag")
            .map(|t| (t.text_of("Key").unwrap(), t.text_of("Value").unwrap()))
            .collect();
        assert_eq!(tags, [("a", "1 & 2"), ("b", "")]);
    }

    #[test]
    fn rejects_broken_documents() {
        assert!(parse(b"<a><b></a>").is_none());
        assert!(parse(b"not xml").is_none());
        assert!(parse(b"<a></a><b></b>").is_none());
    }
}
