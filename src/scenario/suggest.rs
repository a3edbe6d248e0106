//! "Did you mean ...?": the closest known name to a misspelt one.
//!
//! Uses the optimal-string-alignment edit distance (Levenshtein plus swapping two adjacent
//! characters, the commonest typo: "eastsu" → "eastus"). Knows nothing of what the names
//! are; callers pass the candidates.

/// Edits (insert, delete, substitute, swap adjacent) turning `a` into `b`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the dynamic-programming table: the swap looks two rows back.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a plausible typo: at most
/// a third of the name's length in edits (at least 1, at most 3) and not all of it. Ties go to the earliest
/// candidate, so the answer is deterministic for a given candidate order.
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let len = name.chars().count();
    let limit = (len / 3).clamp(1, 3);
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        // Case is ignored so "EastUS" finds "eastus".
        let d = edit_distance(&lower, &c.to_lowercase());
        // `d < len`: replacing every character is not a typo ("x" → "y").
        if d <= limit && d < len && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("eastsu", "eastus"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn closest_only_when_plausible() {
        let names = ["eastus", "eastus2", "westeurope"];
        assert_eq!(closest("eastsu", names), Some("eastus"));
        assert_eq!(closest("WestEurope", names), Some("westeurope"));
        assert_eq!(closest("mars", names), None);
        assert_eq!(closest("x", ["y"]), None);
    }
}
