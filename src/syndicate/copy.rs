//! A copy: one article in one language, rendered for one partner, and the events a partner is told
//! about it (published, corrected, killed).

use std::collections::BTreeSet;
use std::sync::Arc;

use super::notices::kill_notice;
use crate::clean::render::{to_bilingual_html, to_bilingual_prose, to_html, to_prose};
use crate::config::Partner;
use crate::model::{delivery_id, Article, Translation};

/// One article in one language, rendered for one partner. Kept in the delivery log, so a
/// later retry sends exactly what the first attempt sent.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PartnerCopy {
    pub delivery_id: String,
    pub partner: String,
    pub desk: String,
    pub article: Arc<Article>,
    pub language: String,
    /// The backend that translated it; `None` for the original.
    pub backend: Option<String>,
    /// A person reviewed the translation (who, when known).
    #[serde(default)]
    pub reviewed: Option<crate::model::Reviewed>,
    /// Translated by rules (Apertium), not by a trained model.
    #[serde(default)]
    pub rule_based: bool,
    /// Every engine whose words are in the copy when there are more than one (segments
    /// escalated along the chain), `backend` first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub engines: Vec<String>,
    /// The bridge language, when no backend served the pair and the text went through another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub title: String,
    pub html: String,
    pub text: String,
    /// `article.published`, `article.corrected` (a newer version of a copy the partner has) or
    /// `article.killed`.
    pub event: Event,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Event {
    #[serde(rename = "article.published")]
    Published,
    #[serde(rename = "article.corrected")]
    Corrected,
    #[serde(rename = "article.killed")]
    Killed,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Published => "article.published",
            Event::Corrected => "article.corrected",
            Event::Killed => "article.killed",
        }
    }
}

impl PartnerCopy {
    /// An article's translation (or original) rendered once, for no partner yet: [`Self::to`]
    /// makes each partner's copy of it.
    pub fn rendered(article: &Arc<Article>, translation: &Translation, desk: &str) -> Self {
        PartnerCopy {
            delivery_id: String::new(),
            partner: String::new(),
            desk: desk.to_string(),
            article: article.clone(),
            language: translation.language.clone(),
            backend: translation.backend.clone(),
            reviewed: translation.reviewed.clone(),
            rule_based: translation.rule_based,
            engines: Some(translation.engines()).filter(|e| e.len() > 1).unwrap_or_default(),
            via: translation.via.as_ref().map(|v| v.language.clone()),
            title: translation.title.clone(),
            html: to_html(&translation.blocks),
            text: to_prose(&translation.blocks),
            event: Event::Published,
        }
    }

    /// Who translated it, as the disclosure names them: `apertium`, or `apertium + deepl` when
    /// flagged segments went on to another engine or the text went through a bridge language.
    /// `None` for the original.
    pub fn translated_by(&self) -> Option<String> {
        match self.engines.len() {
            0 | 1 => self.backend.clone(),
            _ => Some(self.engines.join(" + ")),
        }
    }

    /// The copy with the original beside the translation, block by block (`bilingual = true`);
    /// an original stays as it is.
    pub fn bilingual(mut self, translation: &Translation) -> Self {
        if translation.backend.is_none() {
            return self;
        }
        let from = self.article.language.clone().unwrap_or_default();
        let original = translation.source_blocks();
        self.html = to_bilingual_html(&original, &from, &translation.blocks, &translation.language);
        self.text = to_bilingual_prose(&original, &translation.blocks);
        self
    }

    /// This copy for a partner, with its delivery id.
    pub fn to(&self, partner: &Partner) -> Self {
        PartnerCopy {
            delivery_id: delivery_id(&self.article.id, &self.article.content_hash, &self.language, &partner.name),
            partner: partner.name.clone(),
            ..self.clone()
        }
    }

    /// The copy of an article's translation (or original) for a partner.
    pub fn new(article: &Arc<Article>, translation: &Translation, partner: &Partner, desk: &str) -> Self {
        Self::rendered(article, translation, desk).to(partner)
    }

    /// The kill that withdraws this copy: the same item, its text replaced by the notice, with a
    /// delivery id of its own (stable, so a repeated kill is not sent twice).
    pub fn killed(mut self) -> Self {
        self.event = Event::Killed;
        self.delivery_id = delivery_id(
            &self.article.id,
            &format!("kill:{}", self.article.content_hash),
            &self.language,
            &self.partner,
        );
        let notice = kill_notice(&self.language);
        self.html = format!("<p>{notice}</p>\n");
        self.text = notice.to_string();
        self
    }
}

/// The languages a partner gets of an article: those it subscribed to, or for `*` the original
/// and every translation made.
pub fn partner_languages(partner: &Partner, translations: &[Translation]) -> Vec<String> {
    if partner.wants_everything() {
        let mut all: BTreeSet<String> = translations.iter().map(|t| t.language.clone()).collect();
        all.extend(partner.languages.iter().filter(|l| *l != "*").cloned());
        return all.into_iter().collect();
    }
    partner.languages.clone()
}
