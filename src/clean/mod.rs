//! Clean: the article body and its metadata out of a page, without the site's chrome, sanitised.

mod boilerplate;
mod dom;
mod elements;
mod entities;
mod extract;
pub mod features;
pub mod metadata;
mod parse;
pub mod render;
mod scorer;
mod text;

use url::Url;

use crate::html::{escape, inline_text, media_type};
use crate::model::{Article, Block, BlockKind, RawPage};

#[derive(Debug, thiserror::Error)]
pub enum CleanError {
    #[error("{input}: no article found (the page has no block of article text)")]
    NoArticle { input: String },
}

pub trait Cleaner: Send + Sync {
    fn clean(&self, page: &RawPage) -> Result<Article, CleanError>;
}

/// The cleaner for HTML pages and scraped plain text: the story chosen by the hand-set rules.
#[derive(Debug, Default, Clone, Copy)]
pub struct ArticleCleaner;

/// The same, with the story chosen block by block by the learned scorer (`scorer.rs`); the
/// rules become its features. Not yet the desks' cleaner: it takes twice as long or more.
#[derive(Debug, Default, Clone, Copy)]
pub struct LearnedCleaner;

impl Cleaner for ArticleCleaner {
    fn clean(&self, page: &RawPage) -> Result<Article, CleanError> {
        clean_page(page, false)
    }
}

impl Cleaner for LearnedCleaner {
    fn clean(&self, page: &RawPage) -> Result<Article, CleanError> {
        clean_page(page, true)
    }
}

fn clean_page(page: &RawPage, learned: bool) -> Result<Article, CleanError> {
    let no_article = || CleanError::NoArticle { input: page.source.clone() };
    let mut article = if is_plain_text(page) {
        let cleaned = text::clean_text(&page.text).ok_or_else(no_article)?;
        Article { title: cleaned.title, section: cleaned.section, blocks: cleaned.blocks, ..Article::default() }
    } else {
        clean_html(page, learned).ok_or_else(no_article)?
    };
    article.source = page.source.clone();
    if let Some(item) = &page.feed_item {
        article.published = article.published.take().or_else(|| item.published.clone());
        if article.title.is_empty() {
            article.title = item.title.clone().unwrap_or_default();
        }
    }
    article.id = article.canonical_url.clone().or_else(|| page.url.clone()).unwrap_or_else(|| page.source.clone());
    if let Some(submitted) = &page.submitted {
        let given = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
        article.id = given(&submitted.id).unwrap_or(article.id);
        article.section = given(&submitted.section).or(article.section.take());
        article.embargo = given(&submitted.embargo).or(article.embargo.take());
    }
    article.compute_content_hash();
    Ok(article)
}

/// Every block of an HTML page's body, each with what the block scorer sees of it; none for
/// plain text or a page of more than [`features::MAX_CANDIDATES`] blocks.
pub fn candidates(page: &RawPage) -> Option<Vec<features::Candidate>> {
    if is_plain_text(page) {
        return None;
    }
    let parse::Parsed { dom, json_ld } = parse::parse(&page.text);
    let base = page.url.as_deref().and_then(|u| Url::parse(u).ok());
    let meta = metadata::read(&dom, &json_ld, base.as_ref());
    features::candidates(&dom, base.as_ref(), &meta)
}

fn is_plain_text(page: &RawPage) -> bool {
    let kind = media_type(page.content_type.as_deref());
    kind == "text/plain" && !looks_like_html(&page.text)
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text.chars().take(2048).collect::<String>().to_ascii_lowercase();
    ["<html", "<!doctype", "<body", "<p>", "<div", "<article"].iter().any(|t| head.contains(t))
}

fn clean_html(page: &RawPage, learned: bool) -> Option<Article> {
    let parse::Parsed { dom, json_ld } = parse::parse(&page.text);
    let base = page.url.as_deref().and_then(|u| Url::parse(u).ok());
    let meta = metadata::read(&dom, &json_ld, base.as_ref());
    let base = base.or_else(|| meta.canonical_url.as_deref().and_then(|u| Url::parse(u).ok()));
    let story = match learned {
        true => story(&dom, base.as_ref(), &meta),
        false => extract::extract(&dom, base.as_ref()).map(|e| e.blocks),
    };
    let mut blocks = match story {
        Some(blocks) => blocks,
        None => body_from_json_ld(meta.article_body.as_deref()?),
    };
    let title = meta.title.clone().or_else(|| first_heading(&blocks)).or_else(|| first_sentence(&blocks))?;
    // The headline is metadata; the body starts after it.
    if let Some(pos) = blocks
        .iter()
        .take(4)
        .position(|b| matches!(b.kind, BlockKind::Heading(_)) && inline_text(&b.html).trim() == title.trim())
    {
        blocks.remove(pos);
    }
    if let Some(byline) = &meta.byline {
        blocks.retain(|b| inline_text(&b.html).trim() != byline.trim());
    }
    if blocks.iter().all(|b| b.kind == BlockKind::Image) {
        return None;
    }
    Some(Article {
        title,
        byline: meta.byline,
        published: meta.published,
        modified: meta.modified,
        section: meta.section,
        canonical_url: meta.canonical_url,
        declared_language: meta.declared_language,
        description: meta.description,
        image: meta.image,
        embargo: meta.embargo,
        blocks,
        ..Article::default()
    })
}

/// The story's blocks as the learned scorer chooses them (the rules alone when it cannot); none
/// when the page has no text block.
fn story(dom: &dom::Dom, base: Option<&Url>, meta: &metadata::Metadata) -> Option<Vec<Block>> {
    let rules = || extract::extract(dom, base).map(|e| e.blocks);
    let Some(model) = scorer::Model::shipped() else { return rules() };
    let Some(candidates) = features::candidates(dom, base, meta) else { return rules() };
    let mut taken = vec![false; candidates.len()];
    for i in model.choose(&candidates) {
        taken[i] = true;
    }
    let blocks: Vec<Block> =
        candidates.into_iter().zip(taken).filter_map(|(c, taken)| taken.then_some(c.block)).collect();
    (!blocks.iter().all(|b| b.kind == BlockKind::Image)).then_some(blocks)
}

fn first_heading(blocks: &[Block]) -> Option<String> {
    blocks.iter().find(|b| matches!(b.kind, BlockKind::Heading(_))).map(|b| inline_text(&b.html))
}

/// A stand-in headline for a page that has none: the body's first sentence.
fn first_sentence(blocks: &[Block]) -> Option<String> {
    let text = inline_text(&blocks.iter().find(|b| b.kind == BlockKind::Paragraph)?.html);
    Some(stand_in_headline(&text))
}

/// The longest stand-in headline, in characters.
const MAX_STAND_IN_HEADLINE_CHARS: usize = 120;

/// A text's first sentence as a headline, cut at a word before [`MAX_STAND_IN_HEADLINE_CHARS`].
fn stand_in_headline(text: &str) -> String {
    let sentence = text.split_inclusive(['.', '!', '?']).next().unwrap_or(text).trim();
    if sentence.chars().count() <= MAX_STAND_IN_HEADLINE_CHARS {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(MAX_STAND_IN_HEADLINE_CHARS).collect();
    format!("{}…", cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head))
}

/// The blocks of a JSON-LD `articleBody`: plain text line by line, or HTML (sometimes escaped).
fn body_from_json_ld(body: &str) -> Vec<Block> {
    let mut unescaped = String::new();
    entities::push_decoded(&mut unescaped, body, false);
    if unescaped.contains("</") {
        return extract::filter_blocks(extract::all_blocks(&parse::parse(&unescaped).dom));
    }
    unescaped
        .split('\n')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Block::new(BlockKind::Paragraph, escape(p)))
        .collect()
}

/// The cleaned article as the `clean` command and partners see it.
pub struct Rendered {
    pub html: String,
    pub text: String,
    pub markdown: String,
}

pub fn render(article: &Article) -> Rendered {
    let html = render::to_html(&article.blocks);
    let text = render::to_prose(&article.blocks);
    let markdown = render::to_markdown(&article.blocks);
    Rendered { html, text, markdown }
}

/// The blocks of a document taken as it is (`translate --no-clean`): an HTML fragment block by
/// block, or plain text paragraph by paragraph.
pub fn blocks_as_given(text: &str) -> Vec<Block> {
    if looks_like_html(text) || text.contains("</") {
        return extract::all_blocks(&parse::parse(text).dom);
    }
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .map(|p| Block::new(BlockKind::Paragraph, escape(&p)))
        .collect()
}
