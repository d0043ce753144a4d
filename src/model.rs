//! The nouns every stage shares: a raw page as fetched, an article as cleaned, its translations.

use sha2::{Digest, Sha256};

use crate::quality::Finding;

/// Where a page came from, and the bytes as they arrived.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RawPage {
    /// A path or URL, as a person would name it in a message.
    pub source: String,
    /// The URL the page was fetched from (after redirects), used to resolve relative links.
    pub url: Option<String>,
    /// The page as UTF-8, whatever charset it arrived in.
    pub text: String,
    /// `Content-Type` of an HTTP answer, or guessed from a file's extension.
    pub content_type: Option<String>,
    pub feed_item: Option<FeedItem>,
    /// What the CMS said about the article when it handed the page over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted: Option<Submitted>,
    /// Only the URL the CMS gave (`url`), not fetched yet: whoever works on the page fetches it,
    /// within the desk's outbound policy.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unfetched: bool,
}

/// An article's facts as its CMS gives them, over what the page says.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Submitted {
    pub id: Option<String>,
    pub section: Option<String>,
    /// RFC 3339.
    pub embargo: Option<String>,
}

/// What an RSS or Atom feed said about the item that led to a page.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FeedItem {
    pub feed: String,
    pub guid: String,
    pub title: Option<String>,
    pub published: Option<String>,
}

/// One story, cleaned: metadata and a body made of blocks.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Article {
    /// Stable id: the canonical URL when the page has one, else its source.
    pub id: String,
    /// Hash of the cleaned content; a changed story gets a new one.
    pub content_hash: String,
    /// 1 for the first version partners receive; raised when the content changes.
    pub version: u32,
    pub source: String,
    pub title: String,
    pub byline: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub section: Option<String>,
    pub canonical_url: Option<String>,
    /// `<html lang>` as the page declared it: evidence, not truth.
    pub declared_language: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    /// Nothing is delivered before this time (RFC 3339).
    #[serde(default)]
    pub embargo: Option<String>,
    /// ISO 639-1 code once detected.
    pub language: Option<String>,
    pub confidence: f64,
    /// Not kept in the delivery log: a logged copy carries its own rendered text.
    #[serde(skip_serializing, default)]
    pub blocks: Vec<Block>,
}

/// One block of an article body. `html` holds sanitised inline markup (links, emphasis, `lang` spans).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub html: String,
    /// The block's language when it differs from the article's (a quoted paragraph).
    pub lang: Option<String>,
}

impl Block {
    pub fn new(kind: BlockKind, html: impl Into<String>) -> Self {
        Block { kind, html: html.into(), lang: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BlockKind {
    Heading(u8),
    Paragraph,
    ListItem { ordered: bool },
    Quote,
    Caption,
    Preformatted,
    Image,
}

/// How much of a story a partner takes (`content` in its profile); only that much is translated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Content {
    #[default]
    Full,
    /// The headline alone, with the link to the original.
    Headline,
    /// The headline and the first paragraph.
    Lede,
}

/// The register a partner asks for (`formality` in its profile), for engines that can keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Formality {
    Formal,
    Informal,
}

/// How a partner asks for its translations to be made, where not as the desk makes them: in a
/// register, through its own chain of backends, with its own glossary. The default is the desk's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Voice {
    /// The register it was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formality: Option<Formality>,
    /// The partner's own chain of backends it went through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<Vec<String>>,
    /// The partner whose own glossary it was made with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glossary: Option<String>,
}

impl Voice {
    pub fn is_desks(&self) -> bool {
        *self == Voice::default()
    }

    /// `formal/deepl+apertium/glossary:el-correo`, or nothing for the desk's.
    pub fn label(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(self.formality.map(|f| f.as_str().to_string()));
        parts.extend(self.chain.as_ref().map(|c| c.join("+")));
        parts.extend(self.glossary.as_ref().map(|g| format!("glossary:{g}")));
        parts.join("/")
    }
}

impl Formality {
    pub fn as_str(self) -> &'static str {
        match self {
            Formality::Formal => "formal",
            Formality::Informal => "informal",
        }
    }
}

impl Content {
    pub fn as_str(self) -> &'static str {
        match self {
            Content::Full => "full",
            Content::Headline => "headline",
            Content::Lede => "lede",
        }
    }

    pub fn is_full(&self) -> bool {
        *self == Content::Full
    }
}

impl Article {
    /// The article as a partner taking `content` gets it: the same story (id, version, hash),
    /// its body cut to the headline or the lede.
    pub fn cut(&self, content: Content) -> Article {
        let blocks = match content {
            Content::Full => self.blocks.clone(),
            Content::Headline => Vec::new(),
            Content::Lede => self.blocks.iter().find(|b| b.kind == BlockKind::Paragraph).cloned().into_iter().collect(),
        };
        Article { blocks, ..self.clone() }
    }

    /// The title and body as plain text, for detection and hashing.
    pub fn plain_text(&self) -> String {
        let mut text = self.title.clone();
        for block in &self.blocks {
            if block.kind == BlockKind::Image {
                continue;
            }
            text.push_str("\n\n");
            text.push_str(&crate::html::inline_text(&block.html));
        }
        text
    }

    pub fn compute_content_hash(&mut self) {
        let mut hasher = Sha256::new();
        hasher.update(self.title.as_bytes());
        for block in &self.blocks {
            hasher.update([0u8]);
            hasher.update(block.html.as_bytes());
        }
        self.content_hash = hex(&hasher.finalize()[..8]);
    }
}

/// An article's title and blocks in one target language.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Translation {
    pub language: String,
    /// The backend that made it; `None` when the article was already in this language.
    pub backend: Option<String>,
    pub title: String,
    pub blocks: Vec<Block>,
    /// Characters sent to the backend, and served from the translation memory.
    pub chars_sent: usize,
    pub chars_cached: usize,
    /// The headline, then each block translated from the article's language, both sides.
    #[serde(default)]
    pub segments: Vec<Segment>,
    /// Each block's segment; `None` for images and blocks kept or translated on their own.
    #[serde(default)]
    pub layout: Vec<Option<usize>>,
    /// Why no backend gave a usable answer: this one is the best, kept only for an editor.
    #[serde(default)]
    pub unusable: Option<String>,
    /// Set once a person reviewed every segment.
    #[serde(default)]
    pub reviewed: Option<Reviewed>,
    /// Made by rules (Apertium), not by a trained model.
    #[serde(default)]
    pub rule_based: bool,
    /// Segments a check flagged, sent on to the next backends of the chain (`[translate]
    /// escalate`): what each was asked for.
    #[serde(default)]
    pub escalations: Vec<Escalation>,
    /// The first hop, when no backend served the pair and the text went through a bridge
    /// language (`[translate] pivot`); the rest describes the second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Pivot>,
    /// How much of the story it holds: partners are given the one they asked for.
    #[serde(default, skip_serializing_if = "Content::is_full")]
    pub content: Content,
    /// The register, chain and glossary a partner asked for, when not the desk's.
    #[serde(flatten)]
    pub voice: Voice,
}

/// The hop into a bridge language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pivot {
    /// The bridge language.
    pub language: String,
    pub backend: String,
    /// Characters sent to it (billed), and served from its translation memory.
    pub chars_sent: usize,
    pub chars_cached: usize,
    #[serde(default)]
    pub escalations: Vec<Escalation>,
}

/// Segments sent on, alone, to one more backend of the chain because a check flagged them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Escalation {
    pub backend: String,
    pub segments: usize,
    /// Characters sent to it (billed), and served from its translation memory.
    pub chars_sent: usize,
    pub chars_cached: usize,
    /// Segments whose answer was better than the one before, and so kept.
    pub kept: usize,
}

/// The backend name of segments people wrote or approved, in the translation memory too.
pub const HUMAN: &str = "human";

/// One translated segment: the headline or a block's inline HTML, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    pub source: String,
    pub target: String,
    /// The backend that made the target, or [`HUMAN`].
    pub backend: String,
    pub flags: Vec<Finding>,
}

/// Who reviewed a translation, when known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reviewed {
    pub by: Option<String>,
}

impl Translation {
    /// The article as it is, in its own language.
    pub fn original(article: &Article) -> Self {
        Translation {
            language: article.language.clone().unwrap_or_default(),
            backend: None,
            title: article.title.clone(),
            blocks: article.blocks.clone(),
            chars_sent: 0,
            chars_cached: 0,
            segments: Vec::new(),
            layout: Vec::new(),
            unusable: None,
            reviewed: None,
            rule_based: false,
            escalations: Vec::new(),
            via: None,
            content: Content::Full,
            voice: Voice::default(),
        }
    }

    /// The engines whose words are in the copy: the one that translated into the bridge
    /// language, if any, the backend that made it, then each one a segment was escalated to and
    /// kept from. People are not engines.
    pub fn engines(&self) -> Vec<String> {
        let first = self.via.iter().map(|v| &v.backend);
        let mut engines: Vec<String> = Vec::new();
        for engine in
            first.chain(&self.backend).chain(self.segments.iter().filter(|s| s.backend != HUMAN).map(|s| &s.backend))
        {
            if !engines.contains(engine) {
                engines.push(engine.clone());
            }
        }
        engines
    }

    /// The original's blocks as this translation holds them: each translated block with its
    /// segment's source in place, the others (images, blocks kept in their own language) as they are.
    pub fn source_blocks(&self) -> Vec<Block> {
        let layout = self.layout.iter().copied().chain(std::iter::repeat(None));
        self.blocks
            .iter()
            .zip(layout)
            .map(|(block, segment)| match segment.and_then(|i| self.segments.get(i)) {
                Some(segment) => Block { html: segment.source.clone(), ..block.clone() },
                None => block.clone(),
            })
            .collect()
    }

    /// Every segment's findings, in segment order.
    pub fn flags(&self) -> Vec<Finding> {
        self.segments.iter().flat_map(|s| s.flags.iter().cloned()).collect()
    }

    /// Puts new targets in (segment index, inline HTML), clearing their flags: the title and
    /// blocks follow.
    pub fn with_targets(mut self, targets: &[(usize, String)], backend: &str) -> Self {
        for (index, target) in targets {
            if let Some(segment) = self.segments.get_mut(*index) {
                segment.target = target.clone();
                segment.backend = backend.to_string();
                segment.flags.clear();
            }
        }
        if let Some(headline) = self.segments.first() {
            self.title = crate::html::inline_text(&headline.target);
        }
        for (block, segment) in self.blocks.iter_mut().zip(&self.layout) {
            if let Some(segment) = segment.and_then(|i| self.segments.get(i)) {
                block.html = segment.target.clone();
            }
        }
        self
    }
}

/// The stable id of a delivery: the same article, content, language and partner give the same id on
/// every attempt and every run.
pub fn delivery_id(article_id: &str, content_hash: &str, language: &str, partner: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [article_id, content_hash, language, partner] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    format!("msg_{}", hex(&hasher.finalize()[..16]))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_id_is_stable_and_distinct() {
        let a = delivery_id("https://x/1", "v1", "es", "el-correo");
        assert_eq!(a, delivery_id("https://x/1", "v1", "es", "el-correo"));
        assert_ne!(a, delivery_id("https://x/1", "v1", "uk", "el-correo"));
        assert_ne!(a, delivery_id("https://x/1", "v2", "es", "el-correo"));
        assert!(a.starts_with("msg_") && a.len() == 36);
    }
}
