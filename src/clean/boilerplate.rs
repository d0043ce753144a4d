//! Signs of page chrome: class and id words of navigation, ads, share bars, cookie and newsletter
//! boxes, related lists; and short lines that are chrome in any of the desk's languages.

/// Words in a class or id that mark page chrome.
const CHROME_WORDS: &[&str] = &[
    "gallery",
    "slideshow",
    "carousel",
    "cta",
    "donate",
    "donation",
    "membership",
    "overlay",
    "ad",
    "ads",
    "adv",
    "advert",
    "advertisement",
    "advertising",
    "adslot",
    "adsbygoogle",
    "banner",
    "breadcrumb",
    "breadcrumbs",
    "comment",
    "comments",
    "consent",
    "cookie",
    "cookies",
    "disqus",
    "dropdown",
    "footer",
    "gdpr",
    "masthead",
    "menu",
    "modal",
    "nav",
    "navbar",
    "navigation",
    "newsletter",
    "outbrain",
    "paywall",
    "popular",
    "popup",
    "promo",
    "promoted",
    "recommend",
    "recommended",
    "recommendations",
    "related",
    "share",
    "sharing",
    "sidebar",
    "signup",
    "social",
    "sponsor",
    "sponsored",
    "subscribe",
    "subscription",
    "taboola",
    "tags",
    "teaser",
    "toolbar",
    "trending",
    "widget",
    "mostread",
    "readmore",
    "readalso",
    "sharebar",
    "topbar",
    "skip",
    "byline",
    "dateline",
    "author",
    "authors",
    "firma",
    "meta",
    "timestamp",
    "publicidad",
    "compartir",
    "relacionadas",
];

/// Words that mark the article container; they score it up.
const ARTICLE_WORDS: &[&str] = &[
    "article",
    "articlebody",
    "body",
    "content",
    "entry",
    "main",
    "post",
    "story",
    "storybody",
    "text",
    "maincontent",
];

/// Words that mark the article's text itself: an element with one of them is never chrome
/// ("article-body comments-enabled"), while "article-share" or "story-meta" still are.
const BODY_WORDS: &[&str] = &["articlebody", "body", "content", "maincontent", "storybody", "text", "main"];

fn words(value: &str) -> impl Iterator<Item = String> + '_ {
    value.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_ascii_lowercase())
}

/// Scores a class/id string: negative for chrome, positive for article containers.
pub fn class_weight(class_and_id: &str) -> i32 {
    let mut weight = 0;
    for word in words(class_and_id) {
        if ARTICLE_WORDS.contains(&word.as_str()) {
            weight += 25;
        } else if CHROME_WORDS.contains(&word.as_str())
            || word.starts_with("advert")
            || word.starts_with("share")
            || word.starts_with("social")
            || word.starts_with("cookie")
            || word.starts_with("newsletter")
            || word.starts_with("related")
        {
            weight -= 25;
        }
    }
    weight
}

/// Whether the class/id marks chrome and nothing that looks like the article.
#[cfg(test)]
fn is_chrome(class_and_id: &str) -> bool {
    chrome_strength(class_and_id).is_some()
}

/// Words that mark chrome whatever the element holds.
const STRONG_CHROME: &[&str] = &[
    "cta",
    "donate",
    "donation",
    "comment",
    "comments",
    "disqus",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "newsletter",
    "share",
    "sharing",
    "sharebar",
    "social",
    "related",
    "recommended",
    "recommendations",
    "outbrain",
    "taboola",
    "paywall",
    "breadcrumb",
    "breadcrumbs",
    "byline",
    "dateline",
];

/// Whole class names that hide an element from readers.
const HIDING_CLASSES: &[&str] =
    &["hidden", "is-hidden", "d-none", "hide", "sr-only", "visually-hidden", "screen-reader-text", "invisible"];

/// How a class/id marks chrome: `Some(true)` for words that always mean chrome (share bars,
/// cookie boxes, comments), `Some(false)` for words that usually do (widget, sidebar, ad), `None`
/// when it does not. A word after "has", "no", "non", "with" describes its element instead of
/// naming it ("has-ads", "no-sidebar", "non-ad-column").
pub fn chrome_strength(class_and_id: &str) -> Option<bool> {
    if class_and_id.split_whitespace().any(|c| HIDING_CLASSES.contains(&c.to_ascii_lowercase().as_str())) {
        return Some(true);
    }
    let mut found: Option<bool> = None;
    let mut modifier = false;
    for word in words(class_and_id) {
        if BODY_WORDS.contains(&word.as_str()) {
            return None;
        }
        let skip = modifier;
        modifier = matches!(word.as_str(), "has" | "no" | "non" | "with" | "without" | "hide" | "show");
        if skip {
            continue;
        }
        let chrome = CHROME_WORDS.contains(&word.as_str())
            || word.starts_with("advert")
            || word.starts_with("sharing")
            || word.starts_with("social")
            || word.starts_with("cookie")
            || word.starts_with("newsletter");
        if chrome {
            let strong =
                STRONG_CHROME.contains(&word.as_str()) || word.starts_with("cookie") || word.starts_with("newsletter");
            found = Some(found.unwrap_or(false) || strong);
        }
    }
    found
}

/// Short lines that are chrome, in the languages newsrooms use. Compared lowercase, without
/// trailing punctuation, on lines of a few words only.
const CHROME_LINES: &[&str] = &[
    // English
    "share",
    "share this",
    "share this article",
    "share this story",
    "share on facebook",
    "share on twitter",
    "advertisement",
    "advertising",
    "sponsored",
    "sponsored content",
    "read more",
    "read also",
    "see also",
    "related",
    "related articles",
    "related stories",
    "more on this story",
    "subscribe",
    "subscribe to our newsletter",
    "sign up for our newsletter",
    "accept cookies",
    "we use cookies",
    "article top vertical",
    "skip to content",
    "skip to main content",
    "comments",
    "leave a comment",
    "print",
    "email",
    "copy link",
    "follow us",
    "facebook twitter linkedin",
    "facebook twitter linkendin",
    "most read",
    "trending",
    "loading",
    // Spanish, Catalan, Portuguese
    "compartir",
    "comparte",
    "comparte este artículo",
    "publicidad",
    "lea también",
    "leer más",
    "te puede interesar",
    "noticias relacionadas",
    "suscríbete",
    "partilhar",
    "compartilhar",
    "publicidade",
    "leia também",
    "leia mais",
    // Russian, Ukrainian
    "поделиться",
    "реклама",
    "читайте также",
    "читать далее",
    "подписаться",
    "подпишитесь",
    "комментарии",
    "поділитися",
    "читайте також",
    "читати далі",
    "підписатися",
    "підпишіться",
    "коментарі",
    // French, German, Italian, Polish, Lithuanian
    "partager",
    "publicité",
    "lire aussi",
    "à lire aussi",
    "teilen",
    "anzeige",
    "werbung",
    "lesen sie auch",
    "mehr zum thema",
    "condividi",
    "pubblicità",
    "leggi anche",
    "udostępnij",
    "reklama",
    "czytaj także",
    "czytaj też",
    "dalintis",
    "skaitykite taip pat",
];

const SOCIAL_NAMES: &[&str] = &[
    "facebook",
    "twitter",
    "x",
    "linkedin",
    "linkendin",
    "whatsapp",
    "telegram",
    "viber",
    "email",
    "e-mail",
    "reddit",
    "pinterest",
    "vk",
    "vkontakte",
    "ok",
    "messenger",
    "threads",
    "bluesky",
    "print",
    "copy",
    "mail",
    "flipboard",
];

/// Whether a short line is page chrome rather than article text.
pub fn is_chrome_line(text: &str) -> bool {
    let line = text.trim().trim_end_matches([':', '.', '!', '»', '›', '→', '…']).trim().to_lowercase();
    if line.is_empty() || line.chars().count() > 60 {
        return false;
    }
    if CHROME_LINES.contains(&line.as_str()) {
        return true;
    }
    // Credit lines: "Photo: Jane Doe, AP", "Фото: ТАСС".
    let credit =
        ["photo:", "photo by", "foto:", "фото:", "image:", "picture:", "credit:", "source:", "imagen:", "bild:"];
    if credit.iter().any(|c| line.starts_with(c)) && line.split_whitespace().count() <= 8 {
        return true;
    }
    // "Facebook Twitter LinkedIn": a line made only of social network names.
    let words: Vec<&str> =
        line.split(|c: char| c.is_whitespace() || c == ',' || c == '|' || c == '/').filter(|w| !w.is_empty()).collect();
    words.len() >= 2 && words.iter().all(|w| SOCIAL_NAMES.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_classes_and_article_classes() {
        assert!(is_chrome("cookie-banner"));
        assert!(is_chrome("ad-slot top"));
        assert!(is_chrome("share-buttons"));
        assert!(!is_chrome("article-body comments-enabled"));
        assert!(!is_chrome("header-lead"));
        assert!(is_chrome("article-meta"));
        assert!(is_chrome("article-share"));
        assert!(!is_chrome("o-section o-section--has-ads"));
        assert!(!is_chrome("non-ad-column"));
        assert_eq!(chrome_strength("widget"), Some(false));
        assert_eq!(chrome_strength("share-tools widget"), Some(true));
        assert!(class_weight("story-body") > 0);
        assert!(class_weight("related-links") < 0);
    }

    #[test]
    fn chrome_lines_in_several_languages() {
        assert!(is_chrome_line("Share this article"));
        assert!(is_chrome_line("Facebook Twitter LinkendIn"));
        assert!(is_chrome_line("Читайте также:"));
        assert!(is_chrome_line("Publicidad"));
        assert!(!is_chrome_line("Share prices fell sharply on Monday after the announcement."));
    }
}
