//! The side-by-side page of a held translation (source | machine translation, flags shown) for
//! editors without a CAT tool. Both sides are shown as text: nothing a backend wrote runs in it.

use minijinja::{context, AutoEscape, Environment};

use super::Draft;
use crate::html::inline_text;

const TEMPLATE: &str = include_str!("../../templates/review/page.html.j2");

pub fn render(draft: &Draft) -> Result<String, minijinja::Error> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template("page.html.j2", TEMPLATE)?;
    let segments: Vec<_> = draft
        .translation
        .segments
        .iter()
        .map(|s| context! { source => inline_text(&s.source), target => inline_text(&s.target), flags => s.flags })
        .collect();
    env.get_template("page.html.j2")?.render(context! {
        title => draft.article.title,
        article_id => draft.article.id,
        version => draft.article.version,
        review_id => draft.id(),
        source_language => draft.source_language(),
        target_language => draft.translation.language,
        backend => draft.translation.backend,
        flagged => draft.flagged_segments(),
        segments => segments,
    })
}
