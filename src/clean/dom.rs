//! A compact, read-only DOM: html5ever parses the pre-stripped page, and the tree is copied into an
//! arena of nodes with parent links and precomputed text lengths, which scoring reads many times.

use html5ever::tendril::TendrilSink;
use html5ever::{local_name, LocalName, ParseOpts};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

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
    pub fn parse(html: &str) -> Dom {
        let rc = html5ever::parse_document(RcDom::default(), ParseOpts::default()).one(html);
        let mut nodes = vec![Node { parent: ROOT, children: Vec::new(), data: Data::Document }];
        // Depth-first, children pushed in reverse so that indices follow document order.
        let mut stack: Vec<(Handle, usize)> =
            rc.document.children.borrow().iter().rev().map(|c| (c.clone(), ROOT)).collect();
        while let Some((handle, parent)) = stack.pop() {
            let data = match &handle.data {
                NodeData::Element { name, attrs, .. } => Data::Element {
                    name: name.local.clone(),
                    attrs: attrs.borrow().iter().map(|a| (a.name.local.clone(), a.value.to_string())).collect(),
                },
                NodeData::Text { contents } => Data::Text(contents.borrow().to_string()),
                _ => continue,
            };
            let index = nodes.len();
            nodes.push(Node { parent, children: Vec::new(), data });
            nodes[parent].children.push(index);
            for child in handle.children.borrow().iter().rev() {
                stack.push((child.clone(), index));
            }
        }
        Dom { nodes }
    }

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
