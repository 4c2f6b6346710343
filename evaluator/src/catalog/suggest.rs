//! "Did you mean …?": the catalog name closest to a misspelt one.

/// Edit distance (insert, delete, substitute, swap two neighbours), ASCII
/// case-insensitive.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitute = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = substitute.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

fn common_prefix_len(a: &str, b: &str) -> usize {
    a.bytes()
        .zip(b.bytes())
        .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
        .count()
}

/// The candidate closest to `name`, when within a quarter of its length
/// (at least 1, at most 3 edits): a suggestion further away misleads.
pub(super) fn nearest(name: &str, candidates: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    let limit = (name.len() / 4).clamp(1, 3);
    candidates
        .map(|c| {
            (
                edit_distance(name, c),
                std::cmp::Reverse(common_prefix_len(name, c)),
                c,
            )
        })
        .filter(|(distance, _, _)| *distance <= limit)
        .min_by_key(|(distance, prefix, _)| (*distance, *prefix))
        .map(|(_, _, c)| c)
}
