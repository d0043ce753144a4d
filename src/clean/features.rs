//! What the block scorer sees of each candidate block: every block of the page's body, chrome
//! included, described by numbers the extractor computes anyway (its text, links and
//! punctuation; where it sits in the tree and on the page; its classes; what its neighbours
//! hold) and by what the rules made of it (removed as chrome, inside their pick, kept). The rules
//! that still earn their place live on here as features; the scorer learns how much to trust
//! them. `newswire clean --features` writes these for training (`scripts/train-extractor`).

use html5ever::local_name;
use url::Url;

use super::boilerplate;
use super::dom::{Data, Dom, ROOT};
use super::extract::{self, Page, Placed};
use super::metadata::Metadata;
use crate::html::inline_text;
use crate::model::{Block, BlockKind};

/// Buckets the class and id words of a block and its two nearest ancestors are hashed into.
const CLASS_BUCKETS: usize = 32;

/// Neighbours on each side whose text and links describe a block's surroundings.
const WINDOW: usize = 3;

/// A page with more blocks than this is not described (its features would take hundreds of
/// megabytes): the rules alone read it.
pub const MAX_CANDIDATES: usize = 20_000;

/// The features' names, in the order of [`Candidate::features`].
pub fn names() -> Vec<String> {
    let fixed = [
        "log_chars",
        "words",
        "mean_word_length",
        "short_word_share",
        "link_share",
        "commas_per_100",
        "sentence_ends_per_100",
        "ends_like_a_sentence",
        "digit_share",
        "capitalised_share",
        "kind_paragraph",
        "kind_heading",
        "kind_list_item",
        "kind_quote",
        "kind_caption",
        "kind_preformatted",
        "kind_image",
        "heading_level",
        "loose_text",
        "is_headline",
        "is_byline",
        "headline_seen",
        "chrome_line",
        "end_of_article_line",
        "after_end_of_article",
        "removed_by_rules",
        "in_rules_pick",
        "kept_by_rules",
        "rules_picked_nothing",
        "depth",
        "depth_below_pick",
        "in_nav_footer_aside",
        "in_article_or_main",
        "in_article_body",
        "in_schema_article",
        "in_chrome_role",
        "strong_chrome_class",
        "weak_chrome_class",
        "class_weight",
        "in_list",
        "in_table",
        "in_form",
        "hidden",
        "in_comments",
        "parent_log_chars",
        "parent_link_density",
        "grandparent_log_chars",
        "grandparent_link_density",
        "blocks_in_parent",
        "kept_share_in_parent",
        "position",
        "chars_before_share",
        "share_of_longest",
        "share_of_page",
        "longer_blocks_share",
        "page_log_chars",
        "page_log_blocks",
        "prev_log_chars",
        "prev_link_share",
        "prev_kept",
        "next_log_chars",
        "next_link_share",
        "next_kept",
        "window_log_chars",
        "window_link_share",
        "window_kept_share",
    ];
    let mut names: Vec<String> = fixed.iter().map(|n| n.to_string()).collect();
    names.extend((0..CLASS_BUCKETS).map(|b| format!("class_word_{b}")));
    names
}

/// A block of the page with what the scorer sees of it.
pub struct Candidate {
    pub block: Block,
    pub text: String,
    pub features: Vec<f32>,
    /// In a readers' comment section, and not kept by the rules: never the story.
    pub readers_comment: bool,
}

/// Every block of the body, chrome included, in order, each described; none past
/// [`MAX_CANDIDATES`].
pub fn candidates(dom: &Dom, base: Option<&Url>, meta: &Metadata) -> Option<Vec<Candidate>> {
    let rules = Page::measure(dom, base);
    let pick = extract::pick(&rules);
    let body = dom.find_first(local_name!("body")).unwrap_or(ROOT);
    let placed: Vec<Placed> = rules.placed_blocks_with_chrome(body);
    if placed.len() > MAX_CANDIDATES {
        return None;
    }
    let kept = Kept::new(pick.as_ref());
    let parts: &[usize] = pick.as_ref().map_or(&[], |p| p.parts.as_slice());
    let pick_depth = parts.first().map_or(0, |&p| depth(dom, p));

    let mut own: Vec<Own> = placed.iter().map(|(block, _)| Own::of(block, &kept)).collect();
    let total_chars: usize = own.iter().map(|o| o.chars).sum::<usize>().max(1);
    let longest = own.iter().map(|o| o.chars).max().unwrap_or(0).max(1);
    let mut lengths: Vec<usize> = own.iter().map(|o| o.chars).collect();
    lengths.sort_unstable();
    let end_at = end_of_article(&own, total_chars);
    // Blocks, and blocks the rules kept, per parent element.
    let mut by_parent = vec![(0usize, 0usize); dom.nodes.len()];
    for ((_, node), this) in placed.iter().zip(&own) {
        let entry = &mut by_parent[dom.nodes[*node].parent];
        entry.0 += 1;
        entry.1 += usize::from(this.kept);
    }
    let same =
        |text: &str, wanted: &Option<String>| wanted.as_deref().is_some_and(|w| !w.is_empty() && text == w.trim());
    let headline_at = own.iter().position(|o| same(&o.text, &meta.title));
    let mut chars_before = 0;
    let mut candidates = Vec::with_capacity(placed.len());
    let mut ancestries = Ancestries::new(dom, &rules);
    let count = placed.len();
    for (k, (block, node)) in placed.into_iter().enumerate() {
        let this = &own[k];
        let ancestry = ancestries.of(node);
        let parent = dom.nodes[node].parent;
        let grandparent = dom.nodes[parent].parent;
        let (siblings, kept_siblings) = by_parent[parent];
        let neighbour = |j: Option<usize>| j.and_then(|j| own.get(j));
        let prev = neighbour(k.checked_sub(1));
        let next = neighbour(Some(k + 1));
        let window = (k.saturating_sub(WINDOW)..(k + WINDOW + 1).min(own.len())).filter(|&j| j != k);
        let mean = |f: fn(&Own) -> f32| {
            let (sum, n) = window.clone().fold((0.0, 0usize), |(sum, n), j| (sum + f(&own[j]), n + 1));
            if n == 0 {
                0.0
            } else {
                sum / n as f32
            }
        };
        let kind = |wanted: fn(&BlockKind) -> bool| flag(wanted(&block.kind));
        let depth_here = depth(dom, node);
        let fixed = [
            this.log_chars(),
            this.words as f32,
            this.mean_word_length,
            this.short_word_share,
            this.link_share,
            per_100(this.commas, this.chars),
            per_100(this.sentence_ends, this.chars),
            flag(this.ends_like_a_sentence),
            this.digit_share,
            this.capitalised_share,
            kind(|k| *k == BlockKind::Paragraph),
            kind(|k| matches!(k, BlockKind::Heading(_))),
            kind(|k| matches!(k, BlockKind::ListItem { .. })),
            kind(|k| *k == BlockKind::Quote),
            kind(|k| *k == BlockKind::Caption),
            kind(|k| *k == BlockKind::Preformatted),
            kind(|k| *k == BlockKind::Image),
            match block.kind {
                BlockKind::Heading(level) => f32::from(level),
                _ => 0.0,
            },
            flag(!is_block_element(dom, node)),
            flag(same(&this.text, &meta.title)),
            flag(same(&this.text, &meta.byline)),
            flag(headline_at.is_some_and(|h| k > h)),
            flag(this.chrome_line),
            flag(this.end_of_article),
            flag(end_at.is_some_and(|end| k > end)),
            flag(rules.removed[node]),
            flag(parts.iter().any(|&p| dom.contains(p, node))),
            flag(this.kept),
            flag(pick.is_none()),
            depth_here as f32,
            depth_here as f32 - pick_depth as f32,
            flag(ancestry.nav_footer_aside),
            flag(ancestry.article_or_main),
            flag(ancestry.article_body),
            flag(ancestry.schema_article),
            flag(ancestry.chrome_role),
            flag(ancestry.strong_chrome),
            flag(ancestry.weak_chrome),
            ancestry.class_weight,
            flag(ancestry.list),
            flag(ancestry.table),
            flag(ancestry.form),
            flag(ancestry.hidden),
            flag(ancestry.comments),
            ln(rules.raw_chars[parent]),
            rules.raw_link_density(parent) as f32,
            ln(rules.raw_chars[grandparent]),
            rules.raw_link_density(grandparent) as f32,
            siblings as f32,
            kept_siblings as f32 / siblings.max(1) as f32,
            k as f32 / count as f32,
            chars_before as f32 / total_chars as f32,
            this.chars as f32 / longest as f32,
            this.chars as f32 / total_chars as f32,
            (lengths.len() - lengths.partition_point(|&l| l <= this.chars)) as f32 / lengths.len() as f32,
            ln(total_chars),
            ln(count),
            prev.map_or(0.0, Own::log_chars),
            prev.map_or(0.0, |o| o.link_share),
            flag(prev.is_some_and(|o| o.kept)),
            next.map_or(0.0, Own::log_chars),
            next.map_or(0.0, |o| o.link_share),
            flag(next.is_some_and(|o| o.kept)),
            mean(Own::log_chars),
            mean(|o| o.link_share),
            mean(|o| flag(o.kept)),
        ];
        let mut features = Vec::with_capacity(fixed.len() + CLASS_BUCKETS);
        features.extend_from_slice(&fixed);
        push_class_words(&mut features, dom, node);
        chars_before += this.chars;
        let readers_comment = ancestry.comments && !this.kept;
        let text = std::mem::take(&mut own[k].text);
        candidates.push(Candidate { block, text, features, readers_comment });
    }
    Some(candidates)
}

/// The HTML of the blocks the rules kept, sorted, looked up by the HTML of every block (a
/// binary search reads a few bytes of a few blocks; hashing read every byte of every block).
struct Kept<'a>(Vec<&'a str>);

impl<'a> Kept<'a> {
    fn new(pick: Option<&'a extract::Pick>) -> Self {
        let mut html: Vec<&str> = pick.iter().flat_map(|p| p.blocks.iter().map(|b| b.html.as_str())).collect();
        html.sort_unstable();
        Kept(html)
    }

    fn contains(&self, html: &str) -> bool {
        self.0.binary_search(&html).is_ok()
    }
}

/// What a block's own text says.
struct Own {
    text: String,
    chars: usize,
    words: usize,
    mean_word_length: f32,
    short_word_share: f32,
    link_share: f32,
    commas: usize,
    sentence_ends: usize,
    ends_like_a_sentence: bool,
    digit_share: f32,
    capitalised_share: f32,
    chrome_line: bool,
    end_of_article: bool,
    kept: bool,
}

impl Own {
    fn of(block: &Block, kept: &Kept) -> Own {
        let mut text = inline_text(&block.html);
        let trimmed = text.trim();
        if trimmed.len() != text.len() {
            text = trimmed.to_string();
        }
        let counts = Counts::of(&text);
        let link_chars: usize = if block.html.contains("<a ") {
            extract::link_texts(&block.html).map(|t| t.trim().chars().count()).sum()
        } else {
            0
        };
        let share = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f32 / of as f32 };
        let (chars, words) = (counts.chars, counts.words);
        Own {
            chars,
            words,
            mean_word_length: share(counts.letters, words),
            short_word_share: share(counts.short_words, words),
            link_share: share(link_chars.min(chars), chars),
            commas: counts.commas,
            sentence_ends: counts.sentence_ends,
            ends_like_a_sentence: text.ends_with(['.', '!', '?', '"', '”', '»', '。']),
            digit_share: share(counts.digits, chars),
            capitalised_share: share(counts.capitalised_words, words),
            chrome_line: block.kind != BlockKind::Image && boilerplate::is_chrome_line(&text),
            end_of_article: block.kind != BlockKind::Image && boilerplate::is_end_of_article(&text),
            kept: kept.contains(&block.html),
            text,
        }
    }

    fn log_chars(&self) -> f32 {
        ln(self.chars)
    }
}

/// A text's characters and words counted in one pass (words are split at white space).
#[derive(Default)]
struct Counts {
    chars: usize,
    commas: usize,
    sentence_ends: usize,
    digits: usize,
    words: usize,
    letters: usize,
    /// Words of at most three letters.
    short_words: usize,
    capitalised_words: usize,
}

impl Counts {
    fn of(text: &str) -> Counts {
        let mut counts = Counts::default();
        let (mut word_chars, mut word_is_letters) = (0, true);
        let end_word = |counts: &mut Counts, length: usize, letters_only: bool| {
            if length > 0 {
                counts.words += 1;
                counts.letters += length;
                counts.short_words += usize::from(length <= 3 && letters_only);
            }
        };
        for c in text.chars() {
            counts.chars += 1;
            if c.is_whitespace() {
                end_word(&mut counts, word_chars, word_is_letters);
                (word_chars, word_is_letters) = (0, true);
                continue;
            }
            if word_chars == 0 && c.is_uppercase() {
                counts.capitalised_words += 1;
            }
            word_chars += 1;
            word_is_letters &= c.is_alphabetic();
            match c {
                ',' | '，' | '、' | '،' => counts.commas += 1,
                '.' | '!' | '?' | '。' => counts.sentence_ends += 1,
                '0'..='9' => counts.digits += 1,
                _ => {}
            }
        }
        end_word(&mut counts, word_chars, word_is_letters);
        counts
    }
}

/// The first "Related stories" or "Comments" line after a good share of the page's text.
fn end_of_article(own: &[Own], total_chars: usize) -> Option<usize> {
    let mut before = 0;
    own.iter().position(|o| {
        let ends = o.end_of_article && before * 3 >= total_chars;
        before += o.chars;
        ends
    })
}

/// What the elements above a block are.
#[derive(Default, Clone, Copy)]
struct Ancestry {
    nav_footer_aside: bool,
    article_or_main: bool,
    article_body: bool,
    schema_article: bool,
    chrome_role: bool,
    strong_chrome: bool,
    weak_chrome: bool,
    class_weight: f32,
    list: bool,
    table: bool,
    form: bool,
    hidden: bool,
    comments: bool,
}

/// Each element's ancestry, worked out once and shared by the blocks under it.
struct Ancestries<'a> {
    dom: &'a Dom,
    rules: &'a Page<'a>,
    /// What holds for an element and everything above it.
    inherited: Vec<Option<Ancestry>>,
    /// An element's own class words: chrome (strong or weak) and weight.
    classes: Vec<Option<(Option<bool>, f32)>>,
}

impl<'a> Ancestries<'a> {
    fn new(dom: &'a Dom, rules: &'a Page<'a>) -> Self {
        let n = dom.nodes.len();
        Ancestries { dom, rules, inherited: vec![None; n], classes: vec![None; n] }
    }

    fn of(&mut self, node: usize) -> Ancestry {
        let mut found = self.inherited_of(node);
        // Class words count only on the element and its three nearest ancestors.
        let (mut at, mut strong, mut weak, mut weight) = (node, false, false, 0.0);
        for _ in 0..4 {
            if at == ROOT {
                break;
            }
            let (chrome, class_weight) = self.class_of(at);
            strong |= chrome == Some(true);
            weak |= chrome == Some(false);
            weight += class_weight;
            at = self.dom.nodes[at].parent;
        }
        found.strong_chrome = strong;
        found.weak_chrome = weak;
        found.class_weight = weight;
        found
    }

    fn class_of(&mut self, at: usize) -> (Option<bool>, f32) {
        if let Some(known) = self.classes[at] {
            return known;
        }
        let class = (extract::class_chrome(self.dom, at), self.rules.class_weight(at) as f32);
        self.classes[at] = Some(class);
        class
    }

    fn inherited_of(&mut self, node: usize) -> Ancestry {
        if node == ROOT {
            return Ancestry::default();
        }
        if let Some(known) = self.inherited[node] {
            return known;
        }
        let dom = self.dom;
        let mut found = self.inherited_of(dom.nodes[node].parent);
        if let Some(name) = dom.name(node) {
            match *name {
                local_name!("nav") | local_name!("footer") | local_name!("aside") | local_name!("header") => {
                    found.nav_footer_aside = true
                }
                local_name!("article") | local_name!("main") => found.article_or_main = true,
                local_name!("ul") | local_name!("ol") => found.list = true,
                local_name!("table") => found.table = true,
                local_name!("form") => found.form = true,
                _ => {}
            }
            let attr = |name| dom.attr(node, name).unwrap_or("");
            found.article_body |= attr(local_name!("itemprop")).eq_ignore_ascii_case("articleBody");
            let itemtype = attr(local_name!("itemtype"));
            found.schema_article |= itemtype.contains("Article") || itemtype.contains("BlogPosting");
            found.chrome_role |= matches!(
                attr(local_name!("role")),
                "navigation" | "banner" | "contentinfo" | "complementary" | "search" | "dialog" | "menu"
            );
            found.hidden |= extract::is_hidden(dom, node);
            found.comments |= is_comment_section(attr(local_name!("id")), attr(local_name!("class")));
        }
        self.inherited[node] = Some(found);
        found
    }
}

/// A readers' comment, or the section holding them, by the names blog engines and comment
/// services give it (whole words only: `comments-enabled` on an article is not one).
fn is_comment_section(id: &str, class: &str) -> bool {
    const NAMES: [&str; 10] = [
        "comment",
        "comments",
        "comment-list",
        "commentlist",
        "comments-area",
        "comment-body",
        "comment-content",
        "comments-section",
        "disqus_thread",
        "respond",
    ];
    let named = |word: &str| NAMES.iter().any(|name| word.eq_ignore_ascii_case(name));
    named(id) || class.split_ascii_whitespace().any(named)
}

/// The class and id words of a block's element and its two nearest ancestors, hashed, added
/// to `features`.
fn push_class_words(features: &mut Vec<f32>, dom: &Dom, node: usize) {
    let start = features.len();
    features.resize(start + CLASS_BUCKETS, 0.0);
    let mut at = node;
    for _ in 0..3 {
        if at == ROOT {
            break;
        }
        for attr in [local_name!("class"), local_name!("id")] {
            let words = dom.attr(at, attr).unwrap_or("");
            for word in words.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| w.len() > 2) {
                features[start + bucket(word)] += 1.0;
            }
        }
        at = dom.nodes[at].parent;
    }
}

/// FNV-1a of the lower-cased word, so a word lands in the same bucket in training and in every
/// build.
fn bucket(word: &str) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in word.bytes() {
        hash ^= u32::from(byte.to_ascii_lowercase());
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as usize % CLASS_BUCKETS
}

fn is_block_element(dom: &Dom, node: usize) -> bool {
    matches!(
        dom.name(node).map(|n| &**n),
        Some(
            "p" | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "li"
                | "blockquote"
                | "figcaption"
                | "caption"
                | "pre"
                | "img"
        )
    ) || !matches!(dom.nodes[node].data, Data::Element { .. })
}

fn depth(dom: &Dom, mut node: usize) -> usize {
    let mut depth = 0;
    while node != ROOT {
        depth += 1;
        node = dom.nodes[node].parent;
    }
    depth
}

fn flag(value: bool) -> f32 {
    if value {
        1.0
    } else {
        0.0
    }
}

fn ln(n: usize) -> f32 {
    (1.0 + n as f32).ln()
}

fn per_100(count: usize, chars: usize) -> f32 {
    if chars == 0 {
        0.0
    } else {
        100.0 * count as f32 / chars as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_sections_are_named_by_whole_words() {
        assert!(is_comment_section("comments", ""));
        assert!(is_comment_section("", "comment even thread-even depth-1"));
        assert!(is_comment_section("", "comments-area post-comments"));
        assert!(!is_comment_section("", "article-body comments-enabled"));
        assert!(!is_comment_section("comment-form-title", "no-comments"));
    }

    #[test]
    fn a_text_is_counted_in_one_pass_as_split_at_white_space() {
        let counts = Counts::of("Der Hafen, 2026: neue Fähre. Und\u{a0}mehr!");
        assert_eq!(counts.chars, 38);
        assert_eq!(counts.words, 7); // a no-break space parts words too
        assert_eq!(counts.commas, 1);
        assert_eq!(counts.sentence_ends, 2);
        assert_eq!(counts.digits, 4);
        assert_eq!(counts.short_words, 2); // "Der", "Und"; not "2026:"
        assert_eq!(counts.capitalised_words, 4);
    }
}
