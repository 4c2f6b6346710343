//! Resource types' ARN formats: how a format such as
//! `arn:${Partition}:s3:::${BucketName}/${ObjectName}` is read (the
//! [`Reading`]s), shown as a `*` pattern, and whether a policy `Resource`
//! could name an ARN the format describes (see the catalog's module
//! documentation for the rules).

use super::model::ResourceType;

/// How widely a format's `${…}` variables are read (see the module
/// documentation), narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reading {
    /// Each variable is one path segment: no `:` or `/`.
    Segment,
    /// Variables in the resource part may hold `/`.
    Path,
    /// Besides, the variable that ends the ARN may hold anything.
    Tail,
}

impl ResourceType {
    /// Could `resource` (an ARN, or a policy `Resource` with `*`/`?`
    /// wildcards and `${…}` variables) name a resource of this type?
    pub fn matches_arn(&self, resource: &str) -> bool {
        self.reading(resource).is_some()
    }

    /// The narrowest [`Reading`] under which `resource` matches one of the
    /// type's ARN formats; `None` when it matches under none.
    pub fn reading(&self, resource: &str) -> Option<Reading> {
        [Reading::Segment, Reading::Path, Reading::Tail]
            .into_iter()
            .find(|&reading| {
                self.arn_formats
                    .iter()
                    .any(|format| overlaps(resource, format, reading))
            })
    }
}

/// Colons before the resource part: `arn:partition:service:region:account:`.
const FIELDS_BEFORE_RESOURCE: usize = 5;

/// One element of a policy `Resource`.
#[derive(Clone, Copy)]
enum Glob {
    Lit(u8),
    /// `*`, or a policy variable `${…}`: any run of characters.
    Star,
    /// `?`: one character.
    One,
}

/// Which characters a format variable may stand for (one or more).
#[derive(Clone, Copy)]
enum Class {
    NoColon,
    NoSeparator,
    Any,
}

/// One element of a resource type's ARN format.
#[derive(Clone, Copy)]
enum Format {
    Lit(u8),
    /// A literal `*` in AWS's format: any run of characters.
    Star,
    /// `${…}`: one or more characters of the class.
    Var(Class),
}

impl Class {
    fn allows(self, c: u8) -> bool {
        match self {
            Class::NoColon => c != b':',
            Class::NoSeparator => c != b':' && c != b'/',
            Class::Any => true,
        }
    }
}

/// `arn:${Partition}:s3:::${BucketName}` → `arn:aws:s3:::*`.
pub(super) fn display(format: &str) -> String {
    let mut out = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}') else { break };
        out.push_str(&rest[..start]);
        out.push_str(if &rest[start..=start + end] == "${Partition}" {
            "aws"
        } else {
            "*"
        });
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// A policy `Resource`: `*`, `?`, and `${…}` variables (any text, but
/// `${*}`, `${?}`, `${$}` stand for the literal character).
fn compile_resource(resource: &str) -> Vec<Glob> {
    let bytes = resource.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{') {
            if let Some(len) = resource[i..].find('}') {
                let inner = &resource[i + 2..i + len];
                out.push(match inner.as_bytes() {
                    [c @ (b'*' | b'?' | b'$')] => Glob::Lit(*c),
                    _ => Glob::Star,
                });
                i += len + 1;
                continue;
            }
        }
        out.push(match bytes[i] {
            b'*' => Glob::Star,
            b'?' => Glob::One,
            c => Glob::Lit(c),
        });
        i += 1;
    }
    out
}

/// An ARN format: `${…}` before the resource part stays within its
/// field; a variable that is the whole resource part holds no `:` or
/// `/`; any other is read as `reading` says.
fn compile_format(format: &str, reading: Reading) -> Vec<Format> {
    let resource_start = format
        .match_indices(':')
        .nth(FIELDS_BEFORE_RESOURCE - 1)
        .map_or(format.len(), |(i, _)| i + 1);
    let bytes = format.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{') {
            if let Some(len) = format[i..].find('}') {
                let end = i + len + 1;
                let class = if i < resource_start {
                    Class::NoColon
                } else if i == resource_start && end == bytes.len() {
                    Class::NoSeparator
                } else {
                    match reading {
                        Reading::Segment => Class::NoSeparator,
                        Reading::Tail if end == bytes.len() => Class::Any,
                        Reading::Path | Reading::Tail => Class::NoColon,
                    }
                };
                out.push(Format::Var(class));
                i = end;
                continue;
            }
        }
        out.push(if bytes[i] == b'*' {
            Format::Star
        } else {
            Format::Lit(bytes[i])
        });
        i += 1;
    }
    out
}

/// A point of the search: the next element of the resource and of the
/// format, and whether the format's current variable holds a character.
#[derive(Clone, Copy)]
struct State {
    resource: usize,
    format: usize,
    started: bool,
}

/// Is there an ARN both the policy `resource` and the type's `format`
/// (read as `reading` says) match? A search over pairs of positions
/// (the product of the two automata).
fn overlaps(resource: &str, format: &str, reading: Reading) -> bool {
    let resource = compile_resource(resource);
    let format = compile_format(format, reading);
    let index = |s: State| (s.resource * (format.len() + 1) + s.format) * 2 + usize::from(s.started);
    let mut seen = vec![false; (resource.len() + 1) * (format.len() + 1) * 2];
    let mut stack = vec![State {
        resource: 0,
        format: 0,
        started: false,
    }];
    while let Some(state) = stack.pop() {
        if std::mem::replace(&mut seen[index(state)], true) {
            continue;
        }
        if state.resource == resource.len() && state.format == format.len() {
            return true;
        }
        stack.extend(
            steps(&resource, &format, state)
                .into_iter()
                .flatten()
                .filter(|next| !seen[index(*next)]),
        );
    }
    false
}

/// The states reachable from `state` by letting a `*` or a started
/// variable end, or by one character both sides accept.
fn steps(resource: &[Glob], format: &[Format], state: State) -> [Option<State>; 3] {
    let State {
        resource: at_resource,
        format: at_format,
        started,
    } = state;
    let glob = resource.get(at_resource).copied();
    let element = format.get(at_format).copied();
    let skip_glob = matches!(glob, Some(Glob::Star)).then_some(State {
        resource: at_resource + 1,
        ..state
    });
    let skip_format = match element {
        Some(Format::Star) => true,
        Some(Format::Var(_)) => started,
        _ => false,
    }
    .then_some(State {
        format: at_format + 1,
        started: false,
        ..state
    });
    let consume = glob.zip(element).and_then(|(glob, element)| {
        let agree = match (glob, element) {
            (Glob::Lit(ours), Format::Lit(theirs)) => ours == theirs,
            (Glob::Lit(ours), Format::Var(class)) => class.allows(ours),
            _ => true,
        };
        agree.then_some(State {
            resource: if matches!(glob, Glob::Star) {
                at_resource
            } else {
                at_resource + 1
            },
            format: if matches!(element, Format::Lit(_)) {
                at_format + 1
            } else {
                at_format
            },
            started: matches!(element, Format::Var(_)),
        })
    });
    [skip_glob, skip_format, consume]
}
