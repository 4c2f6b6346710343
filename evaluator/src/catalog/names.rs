//! Condition key names as the catalog lists them: [`NameList`] borrows a
//! comma-separated list from the catalog text and splits it on demand;
//! [`NameList::contains`] and [`NameSet`] answer "is this key one of
//! them?" for keys in any case and for templates such as
//! `aws:RequestTag/${TagKey}`, each list split (interned) once per thread.

use super::model::cmp_ignore_case;
use crate::wildcard;

/// Condition key names as the catalog writes them, split on demand (no heap).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NameList(pub(super) &'static str);

impl NameList {
    /// The names, in the catalog's order (sorted, ignoring case).
    pub fn iter(self) -> std::str::SplitTerminator<'static, char> {
        self.0.split_terminator(',')
    }

    pub fn len(self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    /// Does one of the names stand for `key`? Ignoring case; a `${…}` or
    /// `<…>` part stands for any text (`aws:RequestTag/${TagKey}` holds
    /// `aws:RequestTag/team`).
    pub fn contains(self, key: &str) -> bool {
        // Asked for every key of every request's context (policy
        // generation keeps the keys the action lists), so each list is
        // split once per thread: its plain names sorted for a binary
        // search, its templates apart.
        COMPILED.with(|lists| {
            let mut lists = lists.borrow_mut();
            let list = lists
                .entry((self.0.as_ptr() as usize, self.0.len()))
                .or_insert_with(|| CompiledNames::of(self.0));
            list.contains(key)
        })
    }
}

type ListKey = (usize, usize);

thread_local! {
    /// [`CompiledNames`] of the lists asked about, by address and length
    /// (the text is `'static`: it never moves or goes).
    static COMPILED: std::cell::RefCell<
        std::collections::HashMap<ListKey, CompiledNames, std::hash::BuildHasherDefault<AddressHasher>>,
    > = std::cell::RefCell::new(std::collections::HashMap::default());
}

/// Hashes the address and length of a list: one multiply per word.
#[derive(Default)]
struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A [`NameList`] split: what [`NameList::contains`] searches.
struct CompiledNames {
    /// Names without `${…}`/`<…>`, sorted ignoring ASCII case.
    plain: Vec<&'static str>,
    /// Names with them, in the list's order, each with the literal text a
    /// key must begin with (empty when that text holds a `*` or `?`).
    templates: Vec<(&'static str, &'static str)>,
}

impl CompiledNames {
    fn of(text: &'static str) -> Self {
        Self::of_names(text.split_terminator(','))
    }

    fn of_names(names: impl Iterator<Item = &'static str>) -> Self {
        let (mut plain, templates): (Vec<&'static str>, Vec<&'static str>) =
            names.partition(|name| !name.contains(['$', '<']));
        plain.sort_by(|a, b| cmp_ignore_case(a, b));
        let templates = templates
            .into_iter()
            .map(|name| {
                let prefix = &name[..name.find(['$', '<']).unwrap_or(0)];
                let prefix = if prefix.contains(['*', '?']) { "" } else { prefix };
                (name, prefix)
            })
            .collect();
        CompiledNames { plain, templates }
    }

    /// As `key_matches` over every name: plain names are equal ignoring
    /// ASCII case, templates as `key_matches` reads them.
    fn contains(&self, key: &str) -> bool {
        self.plain
            .binary_search_by(|name| cmp_ignore_case(name, key))
            .is_ok()
            || template_holds(&self.templates, key)
    }
}

/// Several [`NameList`]s as one, split once: a key is in the set when one
/// of the lists [contains](NameList::contains) it. For a caller that asks
/// the same lists about many keys (policy generation asks an action's own
/// keys and its resource types' keys about every context key of every
/// request) and keeps the set: one search per key instead of one per list,
/// and a lower-case key (as a request context holds) is compared as bytes.
#[derive(Debug)]
pub struct NameSet {
    /// The names without `${…}`/`<…>`, lower-cased, sorted, each once.
    plain: Vec<Box<str>>,
    /// As [`CompiledNames`] keeps them.
    templates: Vec<(&'static str, &'static str)>,
}

impl NameSet {
    pub fn of(lists: impl IntoIterator<Item = NameList>) -> Self {
        let CompiledNames { plain, templates } =
            CompiledNames::of_names(lists.into_iter().flat_map(NameList::iter));
        let mut plain: Vec<Box<str>> = plain
            .into_iter()
            .map(|name| name.to_ascii_lowercase().into_boxed_str())
            .collect();
        plain.sort_unstable();
        plain.dedup();
        NameSet { plain, templates }
    }

    /// As [`NameList::contains`] on each list, true when one is.
    pub fn contains(&self, key: &str) -> bool {
        let plain = if key.bytes().any(|b| b.is_ascii_uppercase()) {
            let key = key.to_ascii_lowercase();
            self.plain.binary_search_by(|name| (**name).cmp(key.as_str()))
        } else {
            self.plain.binary_search_by(|name| (**name).cmp(key))
        };
        plain.is_ok() || template_holds(&self.templates, key)
    }
}

impl NameSet {
    /// A [`NameSet::contains`] for keys asked in ascending byte order, as a
    /// [`RequestContext`](crate::RequestContext) lists its (lower-case)
    /// keys: it walks the names once beside the keys instead of searching
    /// for each. A key asked out of order is searched for.
    pub fn sorted_lookup<'k>(&self) -> SortedLookup<'_, 'k> {
        SortedLookup {
            set: self,
            at: 0,
            last: "",
        }
    }
}

/// See [`NameSet::sorted_lookup`].
#[derive(Debug)]
pub struct SortedLookup<'s, 'k> {
    set: &'s NameSet,
    /// The names before it are below `last`.
    at: usize,
    last: &'k str,
}

impl<'k> SortedLookup<'_, 'k> {
    /// As [`NameSet::contains`].
    pub fn contains(&mut self, key: &'k str) -> bool {
        if key < self.last {
            return self.set.contains(key);
        }
        self.last = key;
        let plain = &self.set.plain;
        while plain.get(self.at).is_some_and(|name| **name < *key) {
            self.at += 1;
        }
        // The names are lower case: a key with upper case is found only
        // once folded (it sorts no later than its folded form, so the
        // names it skipped are below every key after it too).
        plain.get(self.at).is_some_and(|name| **name == *key)
            || template_holds(&self.set.templates, key)
            || (key.bytes().any(|b| b.is_ascii_uppercase()) && self.set.contains(key))
    }
}

/// Does one of `templates` (name and literal start, as [`CompiledNames`]
/// keeps them) stand for `key`?
fn template_holds(templates: &[(&'static str, &'static str)], key: &str) -> bool {
    templates.iter().any(|(name, prefix)| {
        key.as_bytes()
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
            && key_matches(name, key)
    })
}

impl IntoIterator for NameList {
    type Item = &'static str;
    type IntoIter = std::str::SplitTerminator<'static, char>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Does the condition key `template` (`${…}`/`<…>` standing for one or more
/// characters) name `key`? Case-insensitive.
pub(super) fn key_matches(template: &str, key: &str) -> bool {
    let Some(first) = template.find(['$', '<']) else {
        return template.eq_ignore_ascii_case(key);
    };
    // The literal text before the first variable must begin the key: most
    // names fail here, without building the pattern (`*`/`?` in it would
    // be wildcards, so such a prefix is left to the matcher).
    let prefix = &template.as_bytes()[..first];
    if !prefix.contains(&b'*')
        && !prefix.contains(&b'?')
        && !key
            .as_bytes()
            .get(..first)
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    {
        return false;
    }
    let mut glob = String::with_capacity(template.len());
    let mut literal = 0;
    let mut rest = template;
    while let Some(start) = rest.find(['$', '<']) {
        let close = if rest[start..].starts_with("${") { '}' } else { '>' };
        let Some(end) = rest[start..].find(close) else {
            break;
        };
        glob.push_str(&rest[..start]);
        glob.push('*');
        literal += start;
        rest = &rest[start + end + 1..];
    }
    glob.push_str(rest);
    literal += rest.len();
    key.len() > literal && wildcard::matches(&glob, key, true)
}
