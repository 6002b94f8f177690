//! The `snippet` of a hunting notification (Livehunt, Retrohunt, and their IoC stream
//! entries): a hexdump of the lines around a rule's matches with the matched bytes between
//! `*begin_highlight*` and `*end_highlight*`, in the shape VirusTotal sends.
//!
//! VirusTotal's snippets are lines of 16 bytes at 16-byte offsets of the file, each the
//! bytes in upper-case hex separated by spaces, two spaces, then the bytes as ASCII (`.` for
//! what does not print), with no offset column and no final newline. Around each match come
//! the line before it and the line after it; the markers wrap the matched bytes in both
//! columns, closed at a line's end and opened again on the next line when a match spans
//! two. A rule that matched without any pattern (a condition on `filesize`, say) has no
//! bytes to highlight: the snippet is then the file's first lines, without markers.

use std::collections::BTreeSet;
use std::ops::Range;

/// Opens a highlighted run of matched bytes.
pub(crate) const BEGIN_HIGHLIGHT: &str = "*begin_highlight*";
/// Closes it.
pub(crate) const END_HIGHLIGHT: &str = "*end_highlight*";
/// Bytes a line.
const LINE: usize = 16;
/// Matches shown (the first ones in the file).
const MAX_MATCHES_SHOWN: usize = 5;
/// Lines at most in one snippet.
const MAX_LINES: usize = 24;
/// Lines shown when nothing is highlighted.
const UNMATCHED_LINES: usize = 4;

/// The snippet of `data` for a rule whose patterns matched `matches` (ranges of `data`, in
/// data order).
pub(crate) fn snippet(data: &[u8], matches: &[Range<usize>]) -> String {
    let shown: Vec<Range<usize>> = matches
        .iter()
        .map(|r| r.start.min(data.len())..r.end.min(data.len()))
        .filter(|r| !r.is_empty())
        .take(MAX_MATCHES_SHOWN)
        .collect();
    let last_line = data.len().saturating_sub(1) / LINE;
    let lines: BTreeSet<usize> = if shown.is_empty() {
        (0..UNMATCHED_LINES.min(data.len().div_ceil(LINE))).collect()
    } else {
        shown
            .iter()
            .flat_map(|r| {
                let first = (r.start / LINE).saturating_sub(1);
                let last = ((r.end - 1) / LINE + 1).min(last_line);
                first..=last
            })
            .take(MAX_LINES)
            .collect()
    };
    let highlighted = |i: usize| shown.iter().any(|r| r.contains(&i));
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        let start = line * LINE;
        let end = (start + LINE).min(data.len());
        let (mut hex, mut text) = (String::new(), String::new());
        for (i, &b) in data.iter().enumerate().take(end).skip(start) {
            let on = highlighted(i);
            let opens = on && (i == start || !highlighted(i - 1));
            let closes = on && (i + 1 == end || !highlighted(i + 1));
            if opens {
                hex.push_str(BEGIN_HIGHLIGHT);
                text.push_str(BEGIN_HIGHLIGHT);
            }
            hex.push_str(&format!("{b:02X}"));
            if i + 1 < end {
                hex.push(' ');
            }
            text.push(if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            });
            if closes {
                hex.push_str(END_HIGHLIGHT);
                text.push_str(END_HIGHLIGHT);
            }
        }
        out.push(format!("{hex}  {text}"));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const EICAR: &[u8] = br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

    #[test]
    fn a_match_is_highlighted_in_both_columns_with_the_lines_around_it() {
        // "ANTIVIRUS" is bytes 43..52: lines 2 (32..48) and 3 (48..64), with lines 1 and 4
        // around them.
        let s = snippet(EICAR, &[Range { start: 43, end: 52 }]);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 4, "{s}");
        assert_eq!(
            lines[0],
            "34 28 50 5E 29 37 43 43 29 37 7D 24 45 49 43 41  4(P^)7CC)7}$EICA"
        );
        assert_eq!(
            lines[1],
            "52 2D 53 54 41 4E 44 41 52 44 2D *begin_highlight*41 4E 54 49 56*end_highlight*  \
             R-STANDARD-*begin_highlight*ANTIV*end_highlight*"
        );
        assert_eq!(
            lines[2],
            "*begin_highlight*49 52 55 53 *end_highlight*2D 54 45 53 54 2D 46 49 4C 45 21 24  \
             *begin_highlight*IRUS*end_highlight*-TEST-FILE!$"
        );
        assert_eq!(lines[3], "48 2B 48 2A  H+H*");
        assert_eq!(lines[0].len(), 16 * 3 - 1 + 2 + 16);
        assert!(!s.ends_with('\n'));
    }

    #[test]
    fn without_a_pattern_match_the_first_lines_show_unmarked() {
        let s = snippet(EICAR, &[]);
        assert_eq!(s.lines().count(), 4);
        assert!(!s.contains(BEGIN_HIGHLIGHT));
        assert_eq!(snippet(b"ab\x00", &[]), "61 62 00  ab.");
        assert_eq!(snippet(b"", &[]), "");
        // Ranges past the end are clamped, not a panic.
        assert_eq!(
            snippet(b"ab", &[Range { start: 1, end: 9 }]),
            "61 *begin_highlight*62*end_highlight*  a*begin_highlight*b*end_highlight*"
        );
    }
}
