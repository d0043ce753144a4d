//! What is sent for an article: its headline and blocks as segments, quotations and glossary
//! terms swapped for tokens, and where each segment goes back in the article.

use super::protect::{self, Protected};
use crate::model::{Article, BlockKind};

/// What is sent for an article: the headline, then every block in the article's language, with
/// quotations in other languages swapped for tokens.
pub(super) struct Plan {
    /// Each segment as the article has it.
    pub originals: Vec<String>,
    /// Each segment as it is sent: quotations and glossary terms swapped for tokens.
    pub segments: Vec<String>,
    /// Each block's segment; `None` for images and blocks in another language.
    pub layout: Vec<Option<usize>>,
    pub protected: Vec<Protected>,
    /// Indices into `protected`, per segment.
    spans_of_segment: Vec<Vec<usize>>,
}

impl Plan {
    pub fn of(article: &Article, from: &str, terms: &[(String, String)]) -> Plan {
        let mut plan = Plan {
            originals: Vec::new(),
            segments: Vec::new(),
            layout: Vec::new(),
            protected: Vec::new(),
            spans_of_segment: Vec::new(),
        };
        let mut next = 0;
        plan.add(&crate::html::escape(&article.title), from, terms, &mut next);
        for block in &article.blocks {
            let own_language = block.lang.as_deref().is_none_or(|l| l == from);
            let segment =
                (block.kind != BlockKind::Image && own_language).then(|| plan.add(&block.html, from, terms, &mut next));
            plan.layout.push(segment);
        }
        plan
    }

    /// A segment's protected pieces, each with what it becomes in the copy.
    pub fn spans(&self, segment: usize, replacements: &[String]) -> Vec<(Protected, String)> {
        self.spans_of_segment[segment].iter().map(|&k| (self.protected[k].clone(), replacements[k].clone())).collect()
    }

    fn add(&mut self, html: &str, from: &str, terms: &[(String, String)], next: &mut usize) -> usize {
        let (text, spans) = protect::protect(html, from, terms, next);
        let first = self.protected.len();
        self.protected.extend(spans);
        self.spans_of_segment.push((first..self.protected.len()).collect());
        self.originals.push(html.to_string());
        self.segments.push(text);
        self.segments.len() - 1
    }
}
