//! A compact, read-only DOM: an arena of nodes in document order with parent links, built by
//! [`super::parse`] and read many times by scoring.

use html5ever::{local_name, LocalName};

pub const ROOT: usize = 0;

pub enum Data {
    Document,
    Element { name: LocalName, attrs: Vec<(LocalName, String)> },
    Text(String),
}

pub struct Node {
    pub parent: usize,
    pub children: Vec<usize>,
    pub data: Data,
}

pub struct Dom {
    pub nodes: Vec<Node>,
}

impl Dom {
    pub fn name(&self, i: usize) -> Option<&LocalName> {
        match &self.nodes[i].data {
            Data::Element { name, .. } => Some(name),
            _ => None,
        }
    }

    pub fn is(&self, i: usize, tag: LocalName) -> bool {
        self.name(i) == Some(&tag)
    }

    pub fn attr(&self, i: usize, attr: LocalName) -> Option<&str> {
        match &self.nodes[i].data {
            Data::Element { attrs, .. } => attrs.iter().find(|(n, _)| *n == attr).map(|(_, v)| v.as_str()),
            _ => None,
        }
    }

    /// Elements in document order.
    pub fn elements(&self) -> impl Iterator<Item = (usize, &LocalName)> {
        self.nodes.iter().enumerate().filter_map(|(i, n)| match &n.data {
            Data::Element { name, .. } => Some((i, name)),
            _ => None,
        })
    }

    pub fn find_first(&self, tag: LocalName) -> Option<usize> {
        self.elements().find(|(_, name)| **name == tag).map(|(i, _)| i)
    }

    /// Whether `ancestor` contains `i` (or is `i`).
    pub fn contains(&self, ancestor: usize, mut i: usize) -> bool {
        loop {
            if i == ancestor {
                return true;
            }
            if i == ROOT {
                return false;
            }
            i = self.nodes[i].parent;
        }
    }

    /// The whitespace-collapsed text of a subtree.
    pub fn text(&self, i: usize) -> String {
        let mut out = String::new();
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            match &self.nodes[n].data {
                Data::Text(t) => push_collapsed(&mut out, t),
                Data::Element { name, .. } if *name == local_name!("br") => push_collapsed(&mut out, " "),
                _ => stack.extend(self.nodes[n].children.iter().rev()),
            }
        }
        out.trim().to_string()
    }
}

/// Appends text with runs of whitespace collapsed to one space.
pub fn push_collapsed(out: &mut String, text: &str) {
    let mut pending_space = text.starts_with(char::is_whitespace);
    for word in text.split_whitespace() {
        if pending_space && !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        out.push_str(word);
        pending_space = true;
    }
    if text.ends_with(char::is_whitespace) && !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}
