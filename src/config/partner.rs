//! Partners: who a desk sends to, by which channel, in which languages, and how much of each
//! story; validated from the file's `[[partners]]`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use toml::Spanned;

use super::raw::{self, RawPartner};
use super::Glossary;
use super::{expand, line_column, parse_rate, ReviewPolicy, Secret, Validator};
use crate::model::{Content, Formality, Voice};
use crate::style::Style;

#[derive(Debug, Clone)]
pub struct Partner {
    pub name: String,
    /// Line and column of the partner's `languages`, for messages about them.
    pub languages_at: (usize, usize),
    /// ISO 639-1 codes, or `*` for every language the desk produces.
    pub languages: Vec<String>,
    pub channel: ChannelConfig,
    pub timeout: Duration,
    /// Only articles in these sections (compared without case); none means every section.
    pub sections: Vec<String>,
    /// Articles whose headline or text mention one of these are not sent.
    pub exclude_keywords: Vec<String>,
    /// This partner's templates, overriding the desk's.
    pub templates: Option<PathBuf>,
    /// Copies sent at once, and at most so many per period.
    pub concurrency: usize,
    pub rate_limit: Option<(u32, Duration)>,
    pub review: ReviewPolicy,
    /// How much of each story it takes; only that much is translated for it.
    pub content: Content,
    /// Copies carry the original beside the translation, block by block, for proofreading.
    pub bilingual: bool,
    /// The register its copies are asked in, where the engines can keep one; its own chain of
    /// backends (a premium partner's copies through DeepL); its own glossary.
    pub voice: Voice,
    /// Its own terms, over the desk's glossary.
    pub glossary: Option<Glossary>,
    /// The typography of its copies' machine text, one locale per language at most.
    pub styles: Vec<Arc<Style>>,
}

impl Partner {
    /// Why this partner does not take an article, if it does not.
    pub fn refuses(&self, section: Option<&str>, text: &str) -> Option<String> {
        if !self.sections.is_empty() {
            let wanted = section.is_some_and(|s| self.sections.iter().any(|w| w.eq_ignore_ascii_case(s.trim())));
            if !wanted {
                return Some(format!(
                    "section {} is not among {}'s sections ({})",
                    section.map_or("(none)".to_string(), |s| format!("{s:?}")),
                    self.name,
                    self.sections.join(", ")
                ));
            }
        }
        let lower = text.to_lowercase();
        self.exclude_keywords
            .iter()
            .find(|k| lower.contains(&k.to_lowercase()))
            .map(|k| format!("mentions {k:?}, which {} excludes", self.name))
    }

    pub fn wants(&self, language: &str) -> bool {
        self.languages.iter().any(|l| l == "*" || l == language)
    }

    /// The typography its copies in `language` take, if it asked for one.
    pub fn style_for(&self, language: &str) -> Option<&Arc<Style>> {
        self.styles.iter().find(|s| s.language() == language)
    }

    pub fn wants_everything(&self) -> bool {
        self.languages.iter().any(|l| l == "*")
    }
}

/// What a webhook carries: an IPTC ninjs item, or the copy as HTML or plain text in a small JSON
/// envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadFormat {
    Ninjs,
    Html,
    Text,
}

#[derive(Debug, Clone)]
pub enum ChannelConfig {
    Email { to: Vec<Mailbox> },
    Webhook { url: url::Url, secrets: Vec<Secret>, format: PayloadFormat },
    Directory { path: PathBuf },
}

impl ChannelConfig {
    pub fn name(&self) -> &'static str {
        match self {
            ChannelConfig::Email { .. } => "email",
            ChannelConfig::Webhook { .. } => "webhook",
            ChannelConfig::Directory { .. } => "directory",
        }
    }
}

impl Validator<'_> {
    pub(super) fn partner(
        &mut self,
        partner: &Spanned<RawPartner>,
        has_email: bool,
        default_timeout: Duration,
        desk_review: &ReviewPolicy,
        backends: &std::collections::BTreeMap<String, super::BackendConfig>,
    ) -> Option<Partner> {
        let raw = partner.get_ref();
        let name = raw.name.get_ref().trim().to_string();
        let languages: Vec<String> = raw.languages.get_ref().iter().filter_map(|c| self.language(c, true)).collect();
        if raw.languages.get_ref().is_empty() {
            self.problem(&raw.languages, format!("partner {name:?} subscribes to no language"));
        }
        let timeout = self.duration(&raw.timeout, default_timeout);
        let unexpected = |v: &mut Self, field: &str, present: bool| {
            if present {
                v.problem(
                    &raw.channel,
                    format!("partner {name:?}: `{field}` does not apply to the {} channel", raw.channel.get_ref()),
                );
            }
        };
        let channel = match raw.channel.get_ref().as_str() {
            "email" => {
                unexpected(self, "url", raw.url.is_some());
                unexpected(self, "path", raw.path.is_some());
                if !has_email {
                    self.problem(
                        &raw.channel,
                        format!("partner {name:?} uses email but the file has no [email] table"),
                    );
                }
                let Some(to) = &raw.to else {
                    self.problem(partner, format!("partner {name:?}: the email channel needs `to`"));
                    return None;
                };
                let to: Vec<Mailbox> = to.get_ref().iter().filter_map(|m| self.mailbox(m)).collect();
                ChannelConfig::Email { to }
            }
            "webhook" => {
                unexpected(self, "to", raw.to.is_some());
                unexpected(self, "path", raw.path.is_some());
                let (Some(url), Some(secret)) = (&raw.url, &raw.secret) else {
                    self.problem(partner, format!("partner {name:?}: the webhook channel needs `url` and `secret`"));
                    return None;
                };
                let url_text = self.expanded(url)?;
                let parsed = match url::Url::parse(&url_text) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") => u,
                    _ => {
                        self.problem(url, format!("{url_text:?} is not an http(s) URL"));
                        return None;
                    }
                };
                let mut secrets = Vec::new();
                let texts = secret.get_ref().to_vec();
                for text in texts {
                    let expanded = match expand(&text) {
                        Ok(v) => v,
                        Err(message) => {
                            self.problem(secret, message);
                            continue;
                        }
                    };
                    if let Err(message) = crate::secret::decode_webhook_secret(&expanded) {
                        self.problem(secret, message);
                    }
                    secrets.push(Secret::new(expanded));
                }
                if secrets.is_empty() {
                    return None;
                }
                let format = match raw.format.as_ref().map(|f| f.get_ref().as_str()) {
                    None | Some("ninjs") => PayloadFormat::Ninjs,
                    Some("html") => PayloadFormat::Html,
                    Some("text") => PayloadFormat::Text,
                    Some(other) => {
                        self.problem(
                            raw.format.as_ref().expect("present"),
                            format!("format {other:?} is not ninjs, html or text"),
                        );
                        PayloadFormat::Ninjs
                    }
                };
                ChannelConfig::Webhook { url: parsed, secrets, format }
            }
            "directory" => {
                unexpected(self, "to", raw.to.is_some());
                unexpected(self, "url", raw.url.is_some());
                let Some(path) = &raw.path else {
                    self.problem(partner, format!("partner {name:?}: the directory channel needs `path`"));
                    return None;
                };
                ChannelConfig::Directory { path: PathBuf::from(self.expanded(path)?) }
            }
            other => {
                self.problem(&raw.channel, format!("unknown channel {other:?} (known: email, webhook, directory)"));
                return None;
            }
        };
        let languages_at = line_column(self.text, raw.languages.span().start);
        let sections = raw.sections.clone().unwrap_or_default();
        let exclude_keywords = raw.exclude_keywords.clone().unwrap_or_default();
        let templates = raw.template.as_ref().and_then(|t| self.expanded(t)).map(PathBuf::from);
        let concurrency = raw.concurrency.as_ref().map_or(4, |c| (*c.get_ref()).max(1));
        let rate_limit = raw.rate_limit.as_ref().and_then(|r| match parse_rate(r.get_ref()) {
            Ok(rate) => Some(rate),
            Err(message) => {
                self.problem(r, message);
                None
            }
        });
        let review = self.review(&raw.review, &raw.review_flags, desk_review);
        let backend = raw.backend.as_ref().map(|chain| chain.get_ref().to_vec());
        if let (Some(names), Some(at)) = (&backend, &raw.backend) {
            if names.is_empty() {
                self.problem(at, format!("partner {name:?} has an empty `backend` chain"));
            }
            for unknown in names.iter().filter(|n| !backends.contains_key(*n)) {
                let defined: Vec<&str> = backends.keys().map(String::as_str).collect();
                let message =
                    format!("backend {unknown:?} has no [backends.{unknown}] table (defined: {})", defined.join(", "));
                self.problem(at, message);
            }
        }
        let formality = raw.formality.as_ref().and_then(|value| match value.get_ref().as_str() {
            "formal" => Some(Formality::Formal),
            "informal" => Some(Formality::Informal),
            other => {
                self.problem(value, format!("`formality` must be \"formal\" or \"informal\", not {other:?}"));
                None
            }
        });
        let content = match raw.content.as_ref() {
            None => Content::Full,
            Some(value) => match value.get_ref().as_str() {
                "full" => Content::Full,
                "headline" => Content::Headline,
                "lede" => Content::Lede,
                other => {
                    self.problem(value, format!("`content` must be \"full\", \"headline\" or \"lede\", not {other:?}"));
                    Content::Full
                }
            },
        };
        if let Some(format) = raw.format.as_ref().filter(|_| !matches!(channel, ChannelConfig::Webhook { .. })) {
            self.problem(format, "`format` applies to webhooks (emails are text and HTML)");
        }
        let glossary = raw.glossary.as_ref().map(|g| self.glossary(g));
        let styles = raw.style.as_ref().map(|s| self.styles(s, &name, &languages)).unwrap_or_default();
        Some(Partner {
            languages_at,
            languages,
            channel,
            timeout,
            sections,
            exclude_keywords,
            templates,
            concurrency,
            rate_limit,
            review,
            content,
            bilingual: raw.bilingual.unwrap_or(false),
            voice: Voice { formality, chain: backend, glossary: glossary.as_ref().map(|_| name.clone()) },
            name,
            glossary,
            styles,
        })
    }

    /// `style = "es-ES"` or one locale per language, each of a language the partner takes.
    fn styles(&mut self, raw: &Spanned<raw::OneOrMany>, partner: &str, languages: &[String]) -> Vec<Arc<Style>> {
        let mut styles: Vec<Arc<Style>> = Vec::new();
        for tag in raw.get_ref().to_vec() {
            let style = match Style::new(&tag) {
                Ok(style) => style,
                Err(message) => {
                    self.problem(raw, format!("partner {partner:?}: `style` {message}"));
                    continue;
                }
            };
            let language = style.language().to_string();
            if !languages.iter().any(|l| *l == language || l == "*") {
                self.problem(
                    raw,
                    format!("partner {partner:?}: style {tag:?} is for {language}, which it does not take"),
                );
            } else if styles.iter().any(|s| s.language() == language) {
                self.problem(raw, format!("partner {partner:?}: two styles for {language}"));
            } else {
                styles.push(Arc::new(style));
            }
        }
        styles
    }
}
