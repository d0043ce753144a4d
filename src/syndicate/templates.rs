//! Templates for what partners receive (email subject, text and HTML; directory pages), filled
//! with minijinja: HTML auto-escaped, undefined variables an error. The project's `templates/`
//! are built in; a pipeline's `templates` folder overrides them file by file.

use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

use super::notices::{Facts, Notices};
use super::PartnerCopy;
use crate::html::escape_text_or_attribute;

pub type TemplateError = minijinja::Error;

/// The built-in templates: (name, source).
const BUILT_IN: &[(&str, &str)] = &[
    ("email/subject.j2", include_str!("../../templates/email/subject.j2")),
    ("email/text.j2", include_str!("../../templates/email/text.j2")),
    ("email/html.j2", include_str!("../../templates/email/html.j2")),
    ("directory/article.html.j2", include_str!("../../templates/directory/article.html.j2")),
];

pub struct Templates {
    env: Environment<'static>,
}

/// What a template sees.
#[derive(Serialize)]
struct CopyContext<'a> {
    title: &'a str,
    html: Value,
    text: &'a str,
    language: &'a str,
    source_language: &'a str,
    translated: bool,
    backend: Option<&'a str>,
    /// A person reviewed the translation.
    reviewed: bool,
    byline: Option<&'a str>,
    published: Option<&'a str>,
    section: Option<&'a str>,
    canonical_url: Option<&'a str>,
    article_id: &'a str,
    version: u32,
    delivery_id: &'a str,
    partner: &'a str,
    desk: &'a str,
    /// "article.published", "article.corrected" or "article.killed".
    event: &'a str,
    /// The footer and marks in the copy's language.
    notices: Notices,
}

impl Templates {
    /// The built-in templates, with files from `dir` replacing those of the same name.
    pub fn load(dir: Option<&Path>) -> Result<Self, TemplateError> {
        Self::load_layers(&[dir])
    }

    /// The built-in templates under folders tried in order: the first that has a file wins.
    pub fn load_layers(dirs: &[Option<&Path>]) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(
            |name| {
                if name.ends_with("html.j2") {
                    AutoEscape::Html
                } else {
                    AutoEscape::None
                }
            },
        );
        env.set_keep_trailing_newline(false);
        // Minijinja's own HTML escaping writes every `/` as `&#x2f;`, which mail clients show in
        // links; escape what HTML needs and nothing more.
        env.set_formatter(|out, state, value| {
            let escape = matches!(state.auto_escape(), AutoEscape::Html)
                && !value.is_safe()
                && !value.is_none()
                && !value.is_undefined();
            if !escape {
                return minijinja::escape_formatter(out, state, value);
            }
            let text = match value.as_str() {
                Some(text) => escape_text_or_attribute(text),
                None => escape_text_or_attribute(&value.to_string()),
            };
            out.write_str(&text)
                .map_err(|err| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, err.to_string()))
        });
        for (name, source) in BUILT_IN {
            let source = match dirs.iter().flatten().map(|d| d.join(name)).find(|p| p.is_file()) {
                Some(path) => std::fs::read_to_string(&path).map_err(|err| {
                    minijinja::Error::new(
                        minijinja::ErrorKind::InvalidOperation,
                        format!("cannot read {}: {err}", path.display()),
                    )
                })?,
                None => source.to_string(),
            };
            env.add_template_owned(name.to_string(), source)?;
        }
        let templates = Templates { env };
        templates.check()?;
        Ok(templates)
    }

    /// Renders every template once with a sample copy, so a broken one fails at start-up.
    fn check(&self) -> Result<(), TemplateError> {
        let sample = PartnerCopy {
            delivery_id: "msg_check".into(),
            partner: "partner".into(),
            desk: "desk".into(),
            article: std::sync::Arc::new(crate::model::Article { language: Some("en".into()), ..Default::default() }),
            language: "es".into(),
            backend: Some("apertium".into()),
            reviewed: None,
            rule_based: true,
            engines: Vec::new(),
            via: None,
            title: "Title".into(),
            html: "<p>Body</p>".into(),
            text: "Body".into(),
            event: super::Event::Published,
        };
        for (name, _) in BUILT_IN {
            self.render(name, &sample)?;
        }
        Ok(())
    }

    pub fn render(&self, name: &str, copy: &PartnerCopy) -> Result<String, TemplateError> {
        let article = &copy.article;
        let translated_by = copy.translated_by();
        let context = CopyContext {
            title: &copy.title,
            html: Value::from_safe_string(copy.html.clone()),
            text: &copy.text,
            language: &copy.language,
            source_language: article.language.as_deref().unwrap_or(""),
            translated: copy.backend.is_some(),
            backend: translated_by.as_deref(),
            reviewed: copy.reviewed.is_some(),
            byline: article.byline.as_deref(),
            published: article.published.as_deref(),
            section: article.section.as_deref(),
            canonical_url: article.canonical_url.as_deref(),
            article_id: &article.id,
            version: article.version,
            delivery_id: &copy.delivery_id,
            partner: &copy.partner,
            desk: &copy.desk,
            event: copy.event.as_str(),
            notices: Notices::for_copy(&Facts {
                language: &copy.language,
                source_language: article.language.as_deref().unwrap_or(""),
                via: copy.via.as_deref(),
                backend: translated_by.as_deref(),
                reviewed: copy.reviewed.is_some(),
                desk: &copy.desk,
                partner: &copy.partner,
            }),
        };
        self.env.get_template(name)?.render(context)
    }
}

/// Template files a pipeline folder overrides, for `check` to name.
pub fn overridden(dir: &Path) -> Vec<PathBuf> {
    BUILT_IN.iter().map(|(name, _)| dir.join(name)).filter(|p| p.is_file()).collect()
}
