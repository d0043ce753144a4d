//! Inline HTML as plain text to restyle: each tag and each entity that is not a quotation mark
//! or a space stands aside as one private-use character, and goes back in its place after.

/// Stands for a tag or an entity kept as it was.
pub const KEPT: char = '\u{E000}';

pub struct Marked {
    pub text: String,
    kept: Vec<String>,
}

impl Marked {
    /// None when the HTML holds the marker itself (then it is left alone).
    pub fn of(html: &str) -> Option<Marked> {
        if html.contains(KEPT) {
            return None;
        }
        let mut marked = Marked { text: String::with_capacity(html.len()), kept: Vec::new() };
        let mut rest = html;
        while let Some(at) = rest.find(['<', '&']) {
            marked.text.push_str(&rest[..at]);
            rest = &rest[at..];
            let end = match rest.as_bytes()[0] {
                b'<' => rest.find('>').map(|gt| gt + 1),
                _ => entity_length(rest),
            };
            let Some(end) = end else {
                marked.text.push(rest.chars().next().expect("not empty"));
                rest = &rest[1..];
                continue;
            };
            match &rest[..end] {
                "&quot;" | "&#34;" => marked.text.push('"'),
                "&nbsp;" | "&#160;" | "&#xa0;" | "&#xA0;" => marked.text.push('\u{a0}'),
                piece => {
                    marked.text.push(KEPT);
                    marked.kept.push(piece.to_string());
                }
            }
            rest = &rest[end..];
        }
        marked.text.push_str(rest);
        Some(marked)
    }

    /// The HTML again, with the restyled text.
    pub fn html(self) -> String {
        let mut kept = self.kept.into_iter();
        let mut out = String::with_capacity(self.text.len() + 16);
        for c in self.text.chars() {
            match c {
                KEPT => out.push_str(&kept.next().unwrap_or_default()),
                c => out.push(c),
            }
        }
        out
    }
}

/// `&amp;`, `&#233;`: the length of the entity `text` starts with, if it starts with one.
fn entity_length(text: &str) -> Option<usize> {
    let body = text.get(1..)?;
    let end = body.find(';')?;
    let name = &body[..end];
    let plausible = !name.is_empty()
        && name.len() <= 32
        && (name.chars().all(|c| c.is_ascii_alphanumeric())
            || name.strip_prefix('#').is_some_and(|n| n.chars().all(|c| c.is_ascii_alphanumeric())));
    plausible.then_some(end + 2)
}

/// The character next to `at` in a direction, over kept pieces (a quotation mark's neighbour
/// across `<em>`).
pub fn neighbour(chars: &[char], at: usize, forward: bool) -> Option<char> {
    let mut i = at;
    loop {
        if forward {
            i += 1;
            if i >= chars.len() {
                return None;
            }
        } else {
            i = i.checked_sub(1)?;
        }
        if chars[i] != KEPT {
            return Some(chars[i]);
        }
    }
}
