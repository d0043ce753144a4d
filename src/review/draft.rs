//! A draft: an article version and its translation into one language, as the review log keeps
//! it for the editor: every segment with both sides, its backend and its flags.

use sha2::{Digest, Sha256};

use super::inline::{self, Piece};
use crate::model::{hex, Article, Translation};

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Draft {
    pub article: Article,
    pub translation: Translation,
}

impl Draft {
    /// The review's stable id: one per article version and language.
    pub fn id(&self) -> String {
        // A headline, a lede or a register is reviewed apart from the whole story in the language.
        let mut variant = self.translation.language.clone();
        if !self.translation.content.is_full() {
            variant = format!("{variant}/{}", self.translation.content.as_str());
        }
        if !self.translation.voice.is_desks() {
            variant = format!("{variant}/{}", self.translation.voice.label());
        }
        review_id(&self.article.id, &self.article.content_hash, &variant)
    }

    pub fn source_language(&self) -> &str {
        self.article.language.as_deref().unwrap_or("und")
    }

    /// An editor's pieces for a segment as inline HTML, each code as the source wrote it; why
    /// not, when a code was lost, doubled or made up, or the text is empty.
    pub fn edited_segment(&self, index: usize, pieces: &[Piece]) -> Result<String, String> {
        let segment = self.translation.segments.get(index).ok_or("not a segment of this article")?;
        let (_, codes) = inline::source_pieces(&segment.source);
        let html = inline::to_html(pieces, &codes)?;
        if crate::html::inline_text(&html).trim().is_empty()
            && !crate::html::inline_text(&segment.source).trim().is_empty()
        {
            return Err("the target is empty".to_string());
        }
        if crate::html::tag_names(&html) != crate::html::tag_names(&segment.source) {
            return Err("inline codes were lost or doubled".to_string());
        }
        Ok(html)
    }

    /// Segments with at least one flag.
    pub fn flagged_segments(&self) -> usize {
        self.translation.segments.iter().filter(|s| !s.flags.is_empty()).count()
    }
}

pub fn review_id(article: &str, content_hash: &str, language: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [article, content_hash, language] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    format!("rev_{}", hex(&hasher.finalize()[..12]))
}
