//! Glob matching with AWS's two wildcards: `*` (any run of characters,
//! including none) and `?` (exactly one character).
//!
//! Patterns arrive either as plain strings (where every `*` and `?` is a
//! wildcard) or as [`Piece`] sequences produced by policy-variable
//! substitution, where `${*}` and substituted values are literal text.
//! One matcher serves both so that the wildcard rule lives in one place.

/// One element of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// A literal byte of UTF-8 text.
    Lit(u8),
    /// `*`: any run of characters.
    Star,
    /// `?`: one character.
    One,
}

impl Piece {
    fn of_pattern_byte(b: u8) -> Piece {
        match b {
            b'*' => Piece::Star,
            b'?' => Piece::One,
            other => Piece::Lit(other),
        }
    }
}

/// Pushes `text` as literal pieces (no wildcards).
pub fn push_literal(out: &mut Vec<Piece>, text: &str) {
    out.extend(text.bytes().map(Piece::Lit));
}

/// Pushes `text` as a pattern: `*` and `?` are wildcards.
pub fn push_pattern(out: &mut Vec<Piece>, text: &str) {
    out.extend(text.bytes().map(Piece::of_pattern_byte));
}

/// Does `pattern` (with `*` and `?` wildcards) match all of `text`?
/// `ignore_case` folds ASCII letters, which is all AWS action names use.
pub fn matches(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let pat = pattern.as_bytes();
    glob(
        pat.len(),
        |i| Piece::of_pattern_byte(pat[i]),
        text.as_bytes(),
        ignore_case,
    )
}

/// Like [`matches()`] for a compiled piece sequence.
pub fn matches_pieces(pattern: &[Piece], text: &str, ignore_case: bool) -> bool {
    glob(pattern.len(), |i| pattern[i], text.as_bytes(), ignore_case)
}

/// Linear-time glob with single-star backtracking (the classic algorithm:
/// on a mismatch, let the most recent `*` swallow one more character).
fn glob(pat_len: usize, pat_at: impl Fn(usize) -> Piece, text: &[u8], ignore_case: bool) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pat_len {
            match pat_at(p) {
                Piece::Star => {
                    last_star = Some((p + 1, t));
                    p += 1;
                    continue;
                }
                Piece::One => {
                    t += char_len(text, t);
                    p += 1;
                    continue;
                }
                Piece::Lit(b) if bytes_equal(b, text[t], ignore_case) => {
                    p += 1;
                    t += 1;
                    continue;
                }
                Piece::Lit(_) => {}
            }
        }
        match last_star {
            Some((after_star, star_text)) => {
                let next = star_text + char_len(text, star_text);
                last_star = Some((after_star, next));
                p = after_star;
                t = next;
            }
            None => return false,
        }
    }
    while p < pat_len && pat_at(p) == Piece::Star {
        p += 1;
    }
    p == pat_len
}

fn bytes_equal(a: u8, b: u8, ignore_case: bool) -> bool {
    if ignore_case {
        a.eq_ignore_ascii_case(&b)
    } else {
        a == b
    }
}

/// Length in bytes of the UTF-8 character starting at `at`, so that `?` and
/// `*` step over whole characters, never half of one.
fn char_len(text: &[u8], at: usize) -> usize {
    let mut end = at + 1;
    while end < text.len() && (text[end] & 0b1100_0000) == 0b1000_0000 {
        end += 1;
    }
    end - at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_run_including_none() {
        assert!(matches("s3:*", "s3:GetObject", false));
        assert!(matches("s3:Get*", "s3:Get", false));
        assert!(matches("*", "", false));
        assert!(matches("a*b*c", "aXXbYYc", false));
        assert!(!matches("a*b*c", "aXXbYY", false));
    }

    #[test]
    fn question_matches_exactly_one_character() {
        assert!(matches("s3:?etObject", "s3:GetObject", false));
        assert!(!matches("s3:?GetObject", "s3:GetObject", false));
        assert!(matches("caf?", "café", false));
    }

    #[test]
    fn case_folding_only_when_asked() {
        assert!(matches("S3:getobject", "s3:GetObject", true));
        assert!(!matches("S3:getobject", "s3:GetObject", false));
    }

    #[test]
    fn literal_pieces_are_not_wildcards() {
        let mut pieces = Vec::new();
        push_pattern(&mut pieces, "b/");
        push_literal(&mut pieces, "*");
        assert!(matches_pieces(&pieces, "b/*", false));
        assert!(!matches_pieces(&pieces, "b/x", false));
    }
}
