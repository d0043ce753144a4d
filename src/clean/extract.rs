//! Finds the article body in a page: drops chrome by structure and class names, scores the
//! remaining containers by the text they hold (text length, commas, link density), keeps the best
//! one with its related siblings, and turns it into blocks.
//!
//! Longer than the project's 700 lines on purpose, for now: choosing the container, taking its
//! siblings and writing its blocks share the page's state (`Page`) and its thresholds, and the
//! hand-set scoring is what a block scorer learned from annotated pages is to replace; the file is
//! split along that seam when it does, not before.

use std::cell::Cell;

use html5ever::{local_name, LocalName};
use url::Url;

use super::boilerplate;
use super::dom::{Data, Dom, ROOT};
use crate::html::{escape, escape_attr, push_escaped};
use crate::model::{Block, BlockKind};

/// Paragraph-like elements shorter than this do not vote for their container.
const MIN_VOTING_CHARS: usize = 25;

/// A pick shorter than this (bytes of block HTML) is checked against the page's other prose.
const SHORT_PICK_BYTES: usize = 1500;
/// ... and given up for the whole body when the body holds this many times its prose.
const PROSE_BEYOND_SHORT_PICK: usize = 3;
/// The least pick size that comparison assumes, so an empty pick does not lose to a caption.
const MIN_COMPARED_PICK_BYTES: usize = 100;

/// A `<p>` counts as prose from this many characters, with under one in this many in links.
const PROSE_MIN_CHARS: usize = 80;
const PROSE_LINK_ONE_IN: usize = 10;

/// An element holding this share of the page's text is its content, whatever its class says.
const MOST_OF_THE_PAGE: f64 = 0.4;

/// Text with more of its characters in links than this is navigation, not article.
const MAX_LINK_DENSITY: f64 = 0.3;

/// A part of a split story (same tag and class as the container) holds at least this much text.
const MIN_PART_CHARS: usize = 100;

/// What `itemprop="articleBody"` adds to an element's score.
const ARTICLE_BODY_BONUS: f64 = 50.0;

/// A voting paragraph earns one point, one per comma, and one per this many characters, up to a cap.
const CHARS_PER_POINT: f64 = 100.0;
const MAX_LENGTH_POINTS: f64 = 3.0;

/// A parent scoring at least this share of its best child's score is the container instead.
const PARENT_SCORE_SHARE: f64 = 0.9;

/// Siblings of the container kept as more of the story: paragraphs of some length and few links,
/// short link-free paragraphs beside a long container, and containers of a good share of its size.
const SIBLING_PARAGRAPH_MIN_CHARS: usize = 80;
const SIBLING_PARAGRAPH_MAX_LINK_DENSITY: f64 = 0.25;
const SIBLING_SHORT_PARAGRAPH_SHARE: f64 = 0.02;
const SIBLING_CONTAINER_SHARE: f64 = 0.3;
const SIBLING_CONTAINER_MAX_LINK_DENSITY: f64 = 0.2;

/// Nesting deeper than this is not walked (the parser caps depth lower; this guards recursion).
const MAX_DEPTH: usize = 400;

/// A block under this many characters that is mostly link text is a link list.
const LINK_LIST_MAX_CHARS: usize = 300;
const LINK_LIST_LINK_SHARE: f64 = 0.6;

/// Images this small (width or height, in pixels) are tracking pixels.
const TRACKING_PIXEL_MAX_PX: u32 = 2;

pub struct Extraction {
    pub blocks: Vec<Block>,
}

/// A page measured: what its rules removed as chrome, and each element's text.
pub(super) struct Page<'a> {
    pub dom: &'a Dom,
    pub removed: Vec<bool>,
    /// Characters of text in each subtree (chrome left out), in links, and commas.
    pub chars: Vec<usize>,
    pub link_chars: Vec<usize>,
    pub commas: Vec<usize>,
    /// Characters of text in each subtree, and in links, chrome included.
    pub raw_chars: Vec<usize>,
    pub raw_link_chars: Vec<usize>,
    /// Whether an element holds block elements, or only text and inline markup.
    holds_blocks: Vec<bool>,
    base: Option<&'a Url>,
    /// Set while the blocks of the whole page, chrome included, are collected.
    with_chrome: Cell<bool>,
}

/// What the rules pick: the outermost elements taken for the story, and its blocks.
pub(super) struct Pick {
    pub parts: Vec<usize>,
    pub blocks: Vec<Block>,
}

pub fn extract(dom: &Dom, base: Option<&Url>) -> Option<Extraction> {
    let page = Page::measure(dom, base);
    let blocks = pick(&page)?.blocks;
    if blocks.iter().all(|b| b.kind == BlockKind::Image) {
        return None;
    }
    Some(Extraction { blocks })
}

/// The story as the rules see it, before any block scorer.
pub(super) fn pick(page: &Page) -> Option<Pick> {
    let dom = page.dom;
    let container = page.best_container()?;
    let mut parts = page.merged_siblings(container);
    if parts.is_empty() {
        parts.push(container);
    }
    // The story split into chunks between ad rows: more elements just like the container.
    parts.extend(page.same_kind_parts(container));
    parts.sort_unstable();
    let mut outermost: Vec<usize> = Vec::with_capacity(parts.len());
    for part in parts {
        if !outermost.iter().any(|&kept| dom.contains(kept, part)) {
            outermost.push(part);
        }
    }
    let blocks: Vec<Block> = outermost.iter().flat_map(|&part| page.blocks_of(part)).collect();
    let collected = blocks.len();
    let mut blocks = filter_blocks(blocks);
    // A short pick holding a small part of the page's prose was the wrong one (a teaser, a
    // gallery caption): the body without its chrome says more.
    let body = dom.find_first(local_name!("body")).unwrap_or(ROOT);
    let extracted: usize = blocks.iter().map(|b| b.html.len()).sum();
    if extracted < SHORT_PICK_BYTES
        && page.prose_chars(body) > PROSE_BEYOND_SHORT_PICK * extracted.max(MIN_COMPARED_PICK_BYTES)
    {
        blocks = filter_blocks(page.blocks_of(body));
        outermost = vec![body];
    }
    tracing::trace!(container = ?dom.name(container), class = dom.attr(container, local_name!("class")), collected, kept = blocks.len(), "extracted");
    Some(Pick { parts: outermost, blocks })
}

/// Every block of a fragment's body, in order, without looking for an article in it.
pub fn all_blocks(dom: &Dom) -> Vec<Block> {
    Page::measure(dom, None).blocks_of(dom.find_first(local_name!("body")).unwrap_or(ROOT))
}

fn is_heading(name: &LocalName) -> Option<u8> {
    Some(match *name {
        local_name!("h1") => 1,
        local_name!("h2") => 2,
        local_name!("h3") => 3,
        local_name!("h4") => 4,
        local_name!("h5") => 5,
        local_name!("h6") => 6,
        _ => return None,
    })
}

/// Hidden from readers: `hidden`, `aria-hidden`, `display:none`.
pub(super) fn is_hidden(dom: &Dom, i: usize) -> bool {
    if dom.attr(i, local_name!("hidden")).is_some() || dom.attr(i, local_name!("aria-hidden")) == Some("true") {
        return true;
    }
    dom.attr(i, local_name!("style")).is_some_and(|style| {
        let style: String = style.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
}

/// Elements whose whole subtree is page chrome.
fn is_chrome_element(dom: &Dom, i: usize, name: &LocalName, prose: &[usize]) -> bool {
    match *name {
        local_name!("nav") | local_name!("footer") | local_name!("aside") | local_name!("head") => return true,
        local_name!("header") => {
            let mut p = dom.nodes[i].parent;
            while p != ROOT {
                if dom.is(p, local_name!("article")) {
                    return false;
                }
                p = dom.nodes[p].parent;
            }
            return true;
        }
        local_name!("html") | local_name!("body") | local_name!("article") | local_name!("main") => return false,
        _ => {}
    }
    if is_hidden(dom, i) {
        return true;
    }
    if let Some(role) = dom.attr(i, local_name!("role")) {
        if matches!(
            role,
            "navigation"
                | "banner"
                | "contentinfo"
                | "complementary"
                | "search"
                | "dialog"
                | "alertdialog"
                | "menu"
                | "menubar"
        ) {
            return true;
        }
    }
    match class_chrome(dom, i) {
        Some(true) => true,
        Some(false) => prose[i] < WEAK_CHROME_MAX_PROSE,
        None => false,
    }
}

/// Prose (characters in link-free paragraphs) above which a weak chrome word ("widget",
/// "sidebar") no longer removes an element: chrome does not run to several paragraphs.
const WEAK_CHROME_MAX_PROSE: usize = 400;

pub(super) fn class_chrome(dom: &Dom, i: usize) -> Option<bool> {
    let class = dom.attr(i, local_name!("class")).unwrap_or("");
    let id = dom.attr(i, local_name!("id")).unwrap_or("");
    if class.is_empty() && id.is_empty() {
        return None;
    }
    boilerplate::chrome_strength(&format!("{class} {id}"))
}

impl<'a> Page<'a> {
    /// Measures a page, what the rules take for chrome removed.
    pub(super) fn measure(dom: &'a Dom, base: Option<&'a Url>) -> Self {
        let n = dom.nodes.len();
        // Text per subtree before anything is removed: an element holding most of the page's
        // text is the page's content, whatever its class says ("widget Blog", "non-ad-column").
        let mut raw = vec![0usize; n];
        let mut raw_links = vec![0usize; n];
        let mut prose = vec![0usize; n];
        for i in (1..n).rev() {
            match &dom.nodes[i].data {
                Data::Text(text) => raw[i] = text.split_whitespace().map(|w| w.chars().count() + 1).sum(),
                Data::Element { name, .. } if *name == local_name!("a") => raw_links[i] = raw[i],
                Data::Element { name, .. }
                    if *name == local_name!("p")
                        && raw[i] >= PROSE_MIN_CHARS
                        && raw_links[i] * PROSE_LINK_ONE_IN < raw[i] =>
                {
                    prose[i] = raw[i];
                }
                _ => {}
            }
            let parent = dom.nodes[i].parent;
            raw[parent] += raw[i];
            raw_links[parent] += raw_links[i];
            prose[parent] += prose[i];
        }
        let most_of_the_page = (raw[ROOT] as f64 * MOST_OF_THE_PAGE) as usize;
        // The element marked `itemprop="articleBody"` and its ancestors are never chrome, whatever
        // their class says ("cb-sidebar-right" layouts).
        let mut holds_body = vec![false; n];
        for (i, &chars) in raw.iter().enumerate().skip(1) {
            if chars > 0 && dom.attr(i, local_name!("itemprop")).is_some_and(|p| p.eq_ignore_ascii_case("articleBody"))
            {
                let mut at = i;
                while at != ROOT && !holds_body[at] {
                    holds_body[at] = true;
                    at = dom.nodes[at].parent;
                }
            }
        }
        let mut removed = vec![false; n];
        let trace = tracing::enabled!(tracing::Level::TRACE);
        for i in 1..n {
            let parent = dom.nodes[i].parent;
            removed[i] = removed[parent]
                || dom.name(i).is_some_and(|name| {
                    !holds_body[i]
                        && is_chrome_element(dom, i, name, &prose)
                        && (raw[i] < most_of_the_page || is_hidden(dom, i))
                });
            if trace && removed[i] && !removed[parent] && raw[i] > 300 {
                let class = dom.attr(i, local_name!("class")).unwrap_or("");
                let id = dom.attr(i, local_name!("id")).unwrap_or("");
                tracing::trace!(element = ?dom.name(i), class, id, chars = raw[i], "chrome removed");
            }
        }
        let mut chars = vec![0usize; n];
        let mut link_chars = vec![0usize; n];
        let mut commas = vec![0usize; n];
        let mut holds_blocks = vec![false; n];
        for i in (0..n).rev() {
            if removed[i] {
                continue;
            }
            match &dom.nodes[i].data {
                Data::Text(text) => {
                    chars[i] = text.split_whitespace().map(|w| w.chars().count() + 1).sum();
                    commas[i] = text.matches([',', '，', '、', '،']).count();
                }
                Data::Element { name, .. } if *name == local_name!("a") => link_chars[i] = chars[i],
                _ => {}
            }
            if i != ROOT {
                let parent = dom.nodes[i].parent;
                holds_blocks[parent] |= holds_blocks[i] || dom.name(i).is_some_and(is_block);
                chars[parent] += chars[i];
                link_chars[parent] += link_chars[i];
                commas[parent] += commas[i];
            }
        }
        Page {
            dom,
            removed,
            chars,
            link_chars,
            commas,
            raw_chars: raw,
            raw_link_chars: raw_links,
            holds_blocks,
            base,
            with_chrome: Cell::new(false),
        }
    }

    /// The blocks of a subtree, in order.
    fn blocks_of(&self, i: usize) -> Vec<Block> {
        self.placed_blocks_of(i).into_iter().map(|(block, _)| block).collect()
    }

    /// The blocks of a subtree, what the rules take for chrome included, in order, each with the
    /// element it was made from.
    pub(super) fn placed_blocks_with_chrome(&self, i: usize) -> Vec<Placed> {
        self.with_chrome.set(true);
        let blocks = self.placed_blocks_of(i);
        self.with_chrome.set(false);
        blocks
    }

    /// Whether the rules took an element for chrome, and blocks are being collected without it.
    fn skipped(&self, i: usize) -> bool {
        self.removed[i] && !self.with_chrome.get()
    }

    /// The blocks of a subtree, in order, each with the element it was made from.
    pub(super) fn placed_blocks_of(&self, i: usize) -> Vec<Placed> {
        let mut blocks = Vec::new();
        let mut inline = Inline::default();
        self.collect(i, &mut blocks, &mut inline, 0);
        inline.flush(&mut blocks);
        blocks
    }

    /// Elements elsewhere on the page with the container's tag and class, holding prose too.
    fn same_kind_parts(&self, container: usize) -> impl Iterator<Item = usize> + '_ {
        let class = self.dom.attr(container, local_name!("class")).filter(|c| !c.trim().is_empty());
        let name = self.dom.name(container);
        let candidates = if class.is_some() { 1..self.dom.nodes.len() } else { 0..0 };
        candidates.filter(move |&i| {
            i != container
                && !self.removed[i]
                && self.dom.name(i) == name
                && self.dom.attr(i, local_name!("class")) == class
                && self.chars[i] >= MIN_PART_CHARS
                && self.link_density(i) < MAX_LINK_DENSITY
                && !self.dom.contains(container, i)
                && !self.dom.contains(i, container)
        })
    }

    /// Characters in the paragraphs of a subtree that are not chrome and mostly not links.
    fn prose_chars(&self, i: usize) -> usize {
        let mut total = 0;
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            if self.removed[n] {
                continue;
            }
            if self.dom.is(n, local_name!("p")) {
                if self.link_density(n) < MAX_LINK_DENSITY {
                    total += self.chars[n];
                }
                continue;
            }
            stack.extend(self.dom.nodes[n].children.iter().copied());
        }
        total
    }

    /// Link characters over all characters, chrome included.
    pub(super) fn raw_link_density(&self, i: usize) -> f64 {
        if self.raw_chars[i] == 0 {
            0.0
        } else {
            self.raw_link_chars[i] as f64 / self.raw_chars[i] as f64
        }
    }

    pub(super) fn link_density(&self, i: usize) -> f64 {
        if self.chars[i] == 0 {
            0.0
        } else {
            self.link_chars[i] as f64 / self.chars[i] as f64
        }
    }

    pub(super) fn class_weight(&self, i: usize) -> f64 {
        let class = self.dom.attr(i, local_name!("class")).unwrap_or("");
        let id = self.dom.attr(i, local_name!("id")).unwrap_or("");
        let itemprop = self.dom.attr(i, local_name!("itemprop")).unwrap_or("");
        let mut weight = f64::from(boilerplate::class_weight(&format!("{class} {id}")));
        if itemprop.eq_ignore_ascii_case("articleBody") {
            weight += ARTICLE_BODY_BONUS;
        }
        weight
    }

    fn initial_score(&self, i: usize) -> f64 {
        let base = match self.dom.name(i) {
            Some(&local_name!("article")) => 10.0,
            Some(&local_name!("div")) | Some(&local_name!("main")) => 5.0,
            Some(&local_name!("pre")) | Some(&local_name!("td")) | Some(&local_name!("blockquote")) => 3.0,
            Some(&local_name!("ol"))
            | Some(&local_name!("ul"))
            | Some(&local_name!("dl"))
            | Some(&local_name!("li"))
            | Some(&local_name!("form")) => -3.0,
            Some(name) if is_heading(name).is_some() => -5.0,
            _ => 0.0,
        };
        base + self.class_weight(i)
    }

    /// Whether an element votes as a paragraph: a `<p>`-like element, or a container holding text directly.
    fn votes(&self, i: usize) -> bool {
        match self.dom.name(i) {
            Some(&local_name!("p"))
            | Some(&local_name!("pre"))
            | Some(&local_name!("td"))
            | Some(&local_name!("blockquote")) => true,
            Some(&local_name!("div")) | Some(&local_name!("section")) | Some(&local_name!("article")) => {
                let direct: usize = self.dom.nodes[i]
                    .children
                    .iter()
                    .filter(|&&c| matches!(self.dom.nodes[c].data, Data::Text(_)))
                    .map(|&c| self.chars[c])
                    .sum();
                direct >= MIN_VOTING_CHARS * 2 || (!self.holds_blocks[i] && self.chars[i] >= MIN_VOTING_CHARS * 2)
            }
            _ => false,
        }
    }

    fn best_container(&self) -> Option<usize> {
        let n = self.dom.nodes.len();
        let mut score = vec![f64::NAN; n];
        for i in 1..n {
            if self.removed[i] || self.chars[i] < MIN_VOTING_CHARS || !self.votes(i) {
                continue;
            }
            let points = 1.0 + self.commas[i] as f64 + (self.chars[i] as f64 / CHARS_PER_POINT).min(MAX_LENGTH_POINTS);
            // Text straight inside a div makes the div itself the container; a paragraph votes for its parent.
            let holds_text_itself = matches!(
                self.dom.name(i),
                Some(&local_name!("div")) | Some(&local_name!("section")) | Some(&local_name!("article"))
            ) && self.holds_blocks[i];
            let mut ancestor = if holds_text_itself { i } else { self.dom.nodes[i].parent };
            for level in 0..3 {
                if ancestor == ROOT {
                    break;
                }
                if score[ancestor].is_nan() {
                    score[ancestor] = self.initial_score(ancestor);
                }
                score[ancestor] += match level {
                    0 => points,
                    1 => points / 2.0,
                    _ => points / (level as f64 * 3.0),
                };
                ancestor = self.dom.nodes[ancestor].parent;
            }
        }
        let mut best: Option<(usize, f64)> = None;
        for (i, s) in score.iter().enumerate() {
            if s.is_nan() {
                continue;
            }
            let adjusted = s * (1.0 - self.link_density(i));
            if best.is_none_or(|(_, b)| adjusted > b) {
                best = Some((i, adjusted));
            }
        }
        let (mut top, top_score) = best?;
        // A container whose parent holds much the same text with a better score is only a part of it.
        loop {
            let parent = self.dom.nodes[top].parent;
            if parent == ROOT || self.dom.is(parent, local_name!("body")) || score[parent].is_nan() {
                break;
            }
            let parent_score = score[parent] * (1.0 - self.link_density(parent));
            if parent_score >= top_score * PARENT_SCORE_SHARE && self.link_density(parent) < MAX_LINK_DENSITY {
                top = parent;
            } else {
                break;
            }
        }
        Some(top)
    }

    /// The container and its siblings that look like more of the same article.
    fn merged_siblings(&self, top: usize) -> Vec<usize> {
        let parent = self.dom.nodes[top].parent;
        if parent == ROOT || self.dom.is(top, local_name!("article")) {
            return vec![top];
        }
        let top_chars = self.chars[top].max(1) as f64;
        self.dom.nodes[parent]
            .children
            .iter()
            .copied()
            .filter(|&sib| {
                if sib == top {
                    return true;
                }
                if self.removed[sib] || self.dom.name(sib).is_none() {
                    return false;
                }
                let density = self.link_density(sib);
                let chars = self.chars[sib];
                if self.dom.is(sib, local_name!("p")) {
                    return (chars > SIBLING_PARAGRAPH_MIN_CHARS && density < SIBLING_PARAGRAPH_MAX_LINK_DENSITY)
                        || (chars > 0 && density == 0.0 && chars as f64 > top_chars * SIBLING_SHORT_PARAGRAPH_SHARE);
                }
                chars as f64 > top_chars * SIBLING_CONTAINER_SHARE
                    && density < SIBLING_CONTAINER_MAX_LINK_DENSITY
                    && self.class_weight(sib) >= 0.0
            })
            .collect()
    }

    fn collect(&self, i: usize, blocks: &mut Vec<Placed>, inline: &mut Inline, depth: usize) {
        if self.skipped(i) || depth > MAX_DEPTH {
            return;
        }
        let name = match &self.dom.nodes[i].data {
            Data::Text(text) => {
                inline.text(text, self.dom.nodes[i].parent);
                return;
            }
            Data::Document => {
                for &c in &self.dom.nodes[i].children {
                    self.collect(c, blocks, inline, depth + 1);
                }
                return;
            }
            Data::Element { name, .. } => name,
        };
        if let Some(level) = is_heading(name) {
            inline.flush(blocks);
            self.push_block(blocks, BlockKind::Heading(level), i);
            return;
        }
        match *name {
            local_name!("p") => {
                inline.flush(blocks);
                self.push_block(blocks, BlockKind::Paragraph, i);
                self.images_inside(i, blocks);
            }
            local_name!("li") => {
                inline.flush(blocks);
                let ordered = self.dom.is(self.dom.nodes[i].parent, local_name!("ol"));
                self.push_block(blocks, BlockKind::ListItem { ordered }, i);
                for &c in &self.dom.nodes[i].children {
                    if matches!(self.dom.name(c), Some(&local_name!("ul")) | Some(&local_name!("ol"))) {
                        self.collect(c, blocks, inline, depth + 1);
                    }
                }
            }
            local_name!("blockquote") if !self.has_block_children(i) => {
                inline.flush(blocks);
                self.push_block(blocks, BlockKind::Quote, i);
            }
            local_name!("blockquote") => {
                inline.flush(blocks);
                let start = blocks.len();
                for &c in &self.dom.nodes[i].children {
                    self.collect(c, blocks, inline, depth + 1);
                }
                inline.flush(blocks);
                for (block, _) in &mut blocks[start..] {
                    if block.kind == BlockKind::Paragraph {
                        block.kind = BlockKind::Quote;
                    }
                }
            }
            local_name!("figcaption") | local_name!("caption") => {
                inline.flush(blocks);
                self.push_block(blocks, BlockKind::Caption, i);
            }
            local_name!("pre") => {
                inline.flush(blocks);
                let text = escape(self.dom.text(i).trim());
                if !text.is_empty() {
                    blocks.push((Block::new(BlockKind::Preformatted, text), i));
                }
            }
            local_name!("img") => {
                inline.flush(blocks);
                if let Some(block) = self.image(i) {
                    blocks.push((block, i));
                }
            }
            local_name!("br") => inline.flush(blocks),
            _ if is_inline(name) => inline.element(self, i),
            _ => {
                inline.flush(blocks);
                for &c in &self.dom.nodes[i].children {
                    self.collect(c, blocks, inline, depth + 1);
                }
                inline.flush(blocks);
            }
        }
    }

    fn has_block_children(&self, i: usize) -> bool {
        self.dom.nodes[i].children.iter().any(|&c| self.dom.name(c).is_some_and(|n| !is_inline(n)))
    }

    fn push_block(&self, blocks: &mut Vec<Placed>, kind: BlockKind, i: usize) {
        let mut html = String::new();
        self.inline_html(i, &mut html, 0);
        let html = trimmed(&html);
        if !html.is_empty() {
            blocks.push((Block::new(kind, html.to_string()), i));
        }
    }

    fn images_inside(&self, i: usize, blocks: &mut Vec<Placed>) {
        let mut stack = self.dom.nodes[i].children.clone();
        while let Some(n) = stack.pop() {
            if self.dom.is(n, local_name!("img")) {
                if let Some(block) = self.image(n) {
                    blocks.push((block, n));
                }
            } else {
                stack.extend(self.dom.nodes[n].children.iter().rev());
            }
        }
    }

    fn image(&self, i: usize) -> Option<Block> {
        let src = self
            .dom
            .attr(i, local_name!("src"))
            .filter(|s| !s.starts_with("data:"))
            .or_else(|| self.dom.attr(i, LocalName::from("data-src")))?;
        let tiny = |attr| {
            self.dom
                .attr(i, attr)
                .and_then(|v: &str| v.trim_end_matches("px").parse::<u32>().ok())
                .is_some_and(|v| v <= TRACKING_PIXEL_MAX_PX)
        };
        if tiny(local_name!("width")) || tiny(local_name!("height")) {
            return None;
        }
        let src = self.absolute(src)?;
        let alt = self.dom.attr(i, local_name!("alt")).unwrap_or("").trim();
        Some(Block::new(BlockKind::Image, format!("<img src=\"{}\" alt=\"{}\">", escape_attr(&src), escape_attr(alt))))
    }

    fn absolute(&self, link: &str) -> Option<String> {
        let link = link.trim();
        let url = match self.base {
            Some(base) => base.join(link).ok()?,
            None => Url::parse(link).ok()?,
        };
        matches!(url.scheme(), "http" | "https" | "mailto").then(|| url.to_string())
    }

    /// Serialises an element's content as the inline markup newswire keeps.
    fn inline_html(&self, i: usize, out: &mut String, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for &c in &self.dom.nodes[i].children {
            self.inline_node(c, out, depth);
        }
    }

    /// `translate="no"` or `class="notranslate"`: text that must stay as written.
    fn no_translate(&self, i: usize) -> bool {
        self.dom.attr(i, LocalName::from("translate")).is_some_and(|v| v.eq_ignore_ascii_case("no"))
            || self.dom.attr(i, local_name!("class")).is_some_and(|c| c.split_whitespace().any(|w| w == "notranslate"))
    }

    /// Serialises one node: text escaped, links absolute, emphasis and `lang` spans kept, the rest unwrapped.
    fn inline_node(&self, c: usize, out: &mut String, depth: usize) {
        if self.skipped(c) {
            return;
        }
        match &self.dom.nodes[c].data {
            Data::Text(text) => push_text(out, text),
            Data::Element { name, .. } => {
                let (open, close) = match *name {
                    local_name!("a") => match self.dom.attr(c, local_name!("href")).and_then(|h| self.absolute(h)) {
                        Some(href) => (format!("<a href=\"{}\">", escape_attr(&href)), "</a>"),
                        None => (String::new(), ""),
                    },
                    local_name!("em") | local_name!("i") | local_name!("cite") => ("<em>".to_string(), "</em>"),
                    local_name!("strong") | local_name!("b") => ("<strong>".to_string(), "</strong>"),
                    local_name!("code") => ("<code>".to_string(), "</code>"),
                    local_name!("sub") => ("<sub>".to_string(), "</sub>"),
                    local_name!("sup") => ("<sup>".to_string(), "</sup>"),
                    local_name!("br") => {
                        out.push_str("<br>");
                        return;
                    }
                    local_name!("img") => return,
                    _ if self.no_translate(c) => ("<span translate=\"no\">".to_string(), "</span>"),
                    _ => match self.dom.attr(c, local_name!("lang")) {
                        Some(lang) if *name == local_name!("span") || *name == local_name!("q") => {
                            (format!("<span lang=\"{}\">", escape_attr(lang)), "</span>")
                        }
                        _ => (String::new(), ""),
                    },
                };
                out.push_str(&open);
                self.inline_html(c, out, depth + 1);
                out.push_str(close);
            }
            Data::Document => {}
        }
    }
}

/// Appends text to inline HTML: whitespace collapsed, a space kept between this text and what came
/// before it (a link, an emphasis) when the source had one, special characters escaped.
fn push_text(out: &mut String, text: &str) {
    if text.starts_with(char::is_whitespace) && !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    let mut words = text.split_whitespace();
    let Some(first) = words.next() else { return };
    push_escaped(out, first);
    for word in words {
        out.push(' ');
        push_escaped(out, word);
    }
    if text.ends_with(char::is_whitespace) {
        out.push(' ');
    }
}

fn is_block(name: &LocalName) -> bool {
    !is_inline(name) && !matches!(*name, local_name!("br") | local_name!("img") | local_name!("wbr"))
}

fn is_inline(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("a")
            | local_name!("abbr")
            | local_name!("b")
            | local_name!("bdi")
            | local_name!("bdo")
            | local_name!("cite")
            | local_name!("code")
            | local_name!("data")
            | local_name!("dfn")
            | local_name!("em")
            | local_name!("font")
            | local_name!("i")
            | local_name!("kbd")
            | local_name!("mark")
            | local_name!("q")
            | local_name!("rb")
            | local_name!("ruby")
            | local_name!("s")
            | local_name!("samp")
            | local_name!("small")
            | local_name!("span")
            | local_name!("strong")
            | local_name!("sub")
            | local_name!("sup")
            | local_name!("time")
            | local_name!("u")
            | local_name!("var")
            | local_name!("label")
    )
}

/// A block and the element it was made from (for loose text, the element holding it).
pub(super) type Placed = (Block, usize);

/// Loose inline content between blocks (text directly inside a `<div>`), gathered into a paragraph.
#[derive(Default)]
struct Inline {
    html: String,
    /// The element holding the first of it.
    at: Option<usize>,
}

impl Inline {
    fn text(&mut self, text: &str, parent: usize) {
        self.at.get_or_insert(parent);
        push_text(&mut self.html, text);
    }

    fn element(&mut self, page: &Page, i: usize) {
        self.at.get_or_insert(page.dom.nodes[i].parent);
        page.inline_node(i, &mut self.html, 0);
    }

    fn flush(&mut self, blocks: &mut Vec<Placed>) {
        let html = std::mem::take(&mut self.html);
        let at = self.at.take();
        let html = trimmed(&html);
        if !html.is_empty() {
            blocks.push((Block::new(BlockKind::Paragraph, html.to_string()), at.unwrap_or(ROOT)));
        }
    }
}

/// A block's inline HTML without the white space and line breaks around it.
fn trimmed(html: &str) -> &str {
    let mut html = html.trim();
    while let Some(rest) = html.strip_suffix("<br>") {
        html = rest.trim_end();
    }
    html
}

/// From "Related stories" or "Comments" on, once most of the story is in, the rest is not the story.
fn cut_after_the_story(blocks: &mut Vec<Block>) {
    let total: usize = blocks.iter().map(|b| b.html.len()).sum();
    let mut before = 0;
    let end = blocks.iter().position(|b| {
        let ends = b.kind != BlockKind::Image
            && before * 2 >= total
            && boilerplate::is_end_of_article(&crate::html::inline_text(&b.html));
        before += b.html.len();
        ends
    });
    if let Some(end) = end {
        blocks.truncate(end);
    }
}

/// Drops blocks that are chrome after all: link lists, "share this" lines, repeats, what follows the story.
pub fn filter_blocks(mut blocks: Vec<Block>) -> Vec<Block> {
    cut_after_the_story(&mut blocks);
    let mut kept: Vec<Block> = Vec::with_capacity(blocks.len());
    for block in blocks {
        if block.kind == BlockKind::Image {
            kept.push(block);
            continue;
        }
        let text = crate::html::inline_text(&block.html);
        if text.trim().is_empty() || boilerplate::is_chrome_line(&text) {
            continue;
        }
        if block.kind != BlockKind::Preformatted && !block.html.contains("<code") && is_escaped_markup(&text) {
            continue; // a page's own HTML shown as text (a template, an embed code)
        }
        let chars = text.chars().count();
        let link_chars: usize = link_texts(&block.html).map(|t| t.chars().count()).sum();
        let link_list = chars < LINK_LIST_MAX_CHARS && link_chars as f64 > chars as f64 * LINK_LIST_LINK_SHARE;
        if link_list && !matches!(block.kind, BlockKind::Heading(_)) {
            continue;
        }
        if kept.last().is_some_and(|last| last.html == block.html) {
            continue;
        }
        kept.push(block);
    }
    // Trailing headings announce something that was cut ("Related", "Comments").
    while kept.last().is_some_and(|b| matches!(b.kind, BlockKind::Heading(_))) {
        kept.pop();
    }
    kept
}

/// Text that is HTML source rather than prose: tags like `<div align="center">` or `</span>`,
/// escaped once or twice.
fn is_escaped_markup(text: &str) -> bool {
    const TAGS: &[&str] = &["div", "span", "img", "iframe", "a", "p", "br", "h2", "h3", "em", "strong", "script"];
    if !text.contains('<') && !text.contains("&lt;") {
        return false;
    }
    let text = text.replace("&lt;", "<");
    let mut tags = 0;
    for (at, _) in text.match_indices('<') {
        let rest = &text[at + 1..];
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let name: String = rest.chars().take_while(char::is_ascii_alphanumeric).collect();
        let closed = rest[name.len()..].starts_with([' ', '>', '/']);
        if closed && TAGS.contains(&name.to_ascii_lowercase().as_str()) {
            tags += 1;
            if tags >= 2 {
                return true;
            }
        }
    }
    false
}

/// The texts of the links in a block's inline HTML.
pub(super) fn link_texts(html: &str) -> impl Iterator<Item = String> + '_ {
    html.split("<a ").skip(1).filter_map(|rest| {
        let inner = rest.split_once('>')?.1;
        let inner = inner.split("</a>").next()?;
        Some(crate::html::inline_text(inner))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extracted(html: &str) -> Vec<String> {
        let dom = super::super::parse::parse(html).dom;
        let blocks = extract(&dom, None).map(|e| e.blocks).unwrap_or_default();
        blocks.iter().map(|b| crate::html::inline_text(&b.html)).collect()
    }

    const STORY: &str = "<p>The council approved the harbour budget on Tuesday, after a debate about the pier, its cost, and the ferries.</p>\
                         <p>Work starts in spring, the mayor said, and the new pier should open before the summer season begins.</p>";

    #[test]
    fn the_story_wins_over_navigation_and_a_sidebar() {
        let html = format!(
            "<body><nav><a href='/a'>Home</a> <a href='/b'>World</a> <a href='/c'>Sport</a></nav>\
             <div class='sidebar'><p>Most read: a list, of, other, stories, with, commas, everywhere, to, lure, a, scorer.</p></div>\
             <div class='story-body'>{STORY}</div></body>"
        );
        let texts = extracted(&html);
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert!(texts[0].starts_with("The council approved"), "{texts:?}");
    }

    #[test]
    fn a_story_split_by_an_ad_row_is_gathered() {
        let html = format!(
            "<body><div class='text'>{STORY}</div><div class='ad-row'><p>Advertisement</p></div>\
             <div class='text'><p>Residents welcomed the plan, though some asked why the old ferry terminal will close for a year.</p></div></body>"
        );
        let texts = extracted(&html);
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert!(texts[2].starts_with("Residents welcomed"), "{texts:?}");
    }

    #[test]
    fn what_follows_the_story_is_cut_once_most_of_it_is_in() {
        let html = format!(
            "<body><article>{STORY}<h2>Related stories</h2><p>Another story about ferries, one that readers may like, and more.</p></article></body>"
        );
        let texts = extracted(&html);
        assert_eq!(texts.len(), 2, "{texts:?}");
        // A marker before most of the story is in does not cut it.
        let early = format!("<body><article><h2>Comments</h2>{STORY}</article></body>");
        assert_eq!(extracted(&early).len(), 2, "{:?}", extracted(&early));
    }

    #[test]
    fn link_lists_repeats_markup_shown_as_text_and_tracking_pixels_are_dropped() {
        let blocks = vec![
            Block::new(BlockKind::Paragraph, "The story itself, told plainly."),
            Block::new(BlockKind::Paragraph, "<a href=\"/1\">One</a> <a href=\"/2\">Two</a> <a href=\"/3\">Three</a>"),
            Block::new(BlockKind::Paragraph, "The story itself, told plainly."),
            Block::new(BlockKind::Paragraph, "&lt;div align=\"center\"&gt;&lt;/div&gt;"),
            Block::new(BlockKind::Paragraph, "Share this article"),
            Block::new(BlockKind::Heading(2), "More"),
        ];
        let kept: Vec<String> = filter_blocks(blocks).into_iter().map(|b| b.html).collect();
        assert_eq!(kept, ["The story itself, told plainly."]);
        let pixel =
            format!("<body><article>{STORY}<img src='https://t.example/p.gif' width='1' height='1'></article></body>");
        let dom = super::super::parse::parse(&pixel).dom;
        let blocks = extract(&dom, None).unwrap().blocks;
        assert!(blocks.iter().all(|b| b.kind != BlockKind::Image), "{blocks:?}");
    }

    #[test]
    fn an_element_holding_most_of_the_page_is_kept_whatever_its_class() {
        let html =
            format!("<body><div class='widget'>{STORY}{STORY}{STORY}</div><footer><p>© 2026</p></footer></body>");
        assert_eq!(extracted(&html).len(), 6, "{:?}", extracted(&html));
    }
}
