//! One article through clean, detect and translate, outside a run: what `newswire translate`
//! does with a file, with the same steps and the same backends as the pipeline.

use crate::clean::{self, CleanError, Cleaner};
use crate::detect::{mixed, Detector};
use crate::model::{Article, RawPage, Translation};
use crate::translate::{TranslateError, Translator};

#[derive(Debug, thiserror::Error)]
pub enum SingleError {
    #[error(transparent)]
    Clean(#[from] CleanError),
    #[error("{0}: cannot tell the article's language; give it with --from")]
    Undetermined(String),
    #[error("{input}: {error}")]
    Translate { input: String, error: TranslateError },
}

/// How the page is read and which language it is in.
pub struct SingleOptions<'a> {
    /// The page as given (an HTML fragment or plain text), without extracting an article.
    pub as_given: bool,
    /// The article's language; detected when absent.
    pub from: Option<String>,
    pub to: &'a str,
}

/// Cleans (or takes as given) a page, detects its language unless told, marks quotations in other
/// languages and translates it; the article already in `to` comes back as it is.
pub async fn translate_page(
    page: &RawPage,
    options: SingleOptions<'_>,
    cleaner: &dyn Cleaner,
    detector: &dyn Detector,
    translator: &Translator,
) -> Result<(Article, Translation), SingleError> {
    let mut article = if options.as_given {
        Article {
            id: page.source.clone(),
            source: page.source.clone(),
            blocks: clean::blocks_as_given(&page.text),
            ..Article::default()
        }
    } else {
        cleaner.clean(page)?
    };
    let from = match options.from {
        Some(code) => code,
        None => detector
            .detect(&article.plain_text())
            .language
            .ok_or_else(|| SingleError::Undetermined(page.source.clone()))?,
    };
    article.language = Some(from.clone());
    mixed::mark_languages(&mut article, detector);
    if from == options.to {
        let original = Translation::original(&article);
        return Ok((article, original));
    }
    match translator.translate(&article, options.to).await {
        Ok(translation) => Ok((article, translation)),
        Err(error) => Err(SingleError::Translate { input: page.source.clone(), error }),
    }
}
