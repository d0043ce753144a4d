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
    // Feedback, print and sign-in prompts, tables of contents
    "was this article helpful",
    "war der artikel nützlich",
    "möchten sie den artikel teilen",
    "print recipe",
    "rezept drucken",
    "pinnen",
    "jump to recipe",
    "sie sind aktuell nicht eingeloggt",
    "you are not logged in",
    "table of contents",
    "inhaltsverzeichnis",
    "índice de contenidos",
    "sommaire",
    "содержание",
    "зміст",
];

/// Lines that open what comes after the article: related stories, comments, the author box.
/// From one of them on, the rest of the extraction is not the story.
const END_OF_ARTICLE: &[&str] = &[
    "related",
    "related articles",
    "related stories",
    "related coverage",
    "related posts",
    "related content",
    "more on this story",
    "more on this topic",
    "explore further",
    "you may also like",
    "you might also like",
    "recommended",
    "recommended for you",
    "recommended stories",
    "more stories",
    "comments",
    "leave a comment",
    "leave a reply",
    "comments are closed",
    "about the author",
    "mehr zum thema",
    "mehr themen",
    "auch interessant",
    "das könnte sie auch interessieren",
    "das könnte dich auch interessieren",
    "das thema könnte dich auch interessieren",
    "das thema könnte sie auch interessieren",
    "empfohlene beiträge",
    "weitere artikel",
    "weitere beiträge",
    "ähnliche beiträge",
    "ähnliche artikel",
    "über den autor",
    "über die autorin",
    "kommentare",
    "schreibe einen kommentar",
    "bisher keine kommentare",
    "noticias relacionadas",
    "te puede interesar",
    "también te puede interesar",
    "te recomendamos",
    "sobre el autor",
    "comentarios",
    "deja un comentario",
    "à lire aussi",
    "à lire également",
    "sur le même sujet",
    "dans la même rubrique",
    "commentaires",
    "laisser un commentaire",
    "leggi anche",
    "potrebbe interessarti",
    "articoli correlati",
    "czytaj także",
    "zobacz także",
    "zobacz też",
    "читайте также",
    "по теме",
    "новости по теме",
    "вам также может быть интересно",
    "комментарии",
    "читайте також",
    "по темі",
    "новини по темі",
    "коментарі",
    "skaitykite taip pat",
    "susiję straipsniai",
];

/// Openings of short lines that only carry page metadata: dates, credits, categories.
const META_OPENINGS: &[&str] = &[
    "photo:",
    "photo by",
    "photos:",
    "foto:",
    "fotos:",
    "фото:",
    "image:",
    "picture:",
    "credit:",
    "credits:",
    "crédits photos",
    "crédito:",
    "(crédito:",
    "source:",
    "quelle:",
    "fuente:",
    "imagen:",
    "bild:",
    "bild via",
    "bildquelle",
    "updated:",
    "published:",
    "last modified:",
    "last updated",
    "release date:",
    "aktualisiert:",
    "aktualisiert am",
    "veröffentlicht:",
    "veröffentlicht am",
    "erstellt am",
    "publié le",
    "mis à jour le",
    "publicado:",
    "actualizado:",
    "opublikowano:",
    "aktualizacja:",
    "опубликовано:",
    "обновлено:",
    "опубліковано:",
    "оновлено:",
    "this entry was posted",
    "der beitrag wurde am",
    "category:",
    "categories:",
    "kategorie:",
    "tags:",
    "schlagwörter:",
    "schlagworte:",
    "etiquetas:",
    "anzeige",
];

/// Verbs of a call to follow or join a channel ("Follow us on Twitter", "Síguenos en Telegram").
const FOLLOW_CALLS: &[&str] = &[
    "follow",
    "síguenos",
    "siguenos",
    "sigue",
    "folge",
    "folgen",
    "suivez",
    "rejoignez",
    "seguici",
    "segue-nos",
    "siga",
    "obserwuj",
    "подписывайтесь",
    "подпишитесь",
    "підписуйтесь",
    "підпишіться",
    "join",
    "únete",
    "download",
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

/// A line lowercased, without the punctuation and dashes around it.
fn normalised_line(text: &str) -> String {
    let edges: &[char] = &[':', '.', '!', '?', '»', '›', '→', '…', '-', '–', '—', '|', '*', ' ', '¿', '¡'];
    text.trim().trim_matches(edges).trim().to_lowercase()
}

/// Whether a short line is page chrome rather than article text.
pub fn is_chrome_line(text: &str) -> bool {
    let line = normalised_line(text);
    let chars = line.chars().count();
    if line.is_empty() || chars > 200 {
        return false;
    }
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '/' | '@'))
        .filter(|w| !w.is_empty())
        .collect();
    // "Siguenos en Telegram, Instagram, Facebook y Twitter": a call to follow a social account.
    let networks = words.iter().filter(|w| SOCIAL_NAMES.contains(w) && w.len() > 2).count();
    if networks >= 1 && words.len() <= 30 && words.iter().any(|w| FOLLOW_CALLS.contains(w)) {
        return true;
    }
    if chars > 60 {
        return false;
    }
    if CHROME_LINES.contains(&line.as_str()) || END_OF_ARTICLE.contains(&line.as_str()) {
        return true;
    }
    // Dates, credits and categories: "Photo: Jane Doe, AP", "Aktualisiert: 03.04.2020", "Фото: ТАСС".
    if META_OPENINGS.iter().any(|o| line.starts_with(o)) && words.len() <= 10 {
        return true;
    }
    // "Facebook Twitter LinkedIn": a line made only of social network names.
    words.len() >= 2 && words.iter().all(|w| SOCIAL_NAMES.contains(w))
}

/// Whether a line opens what follows the article (related stories, comments, the author box).
pub fn is_end_of_article(text: &str) -> bool {
    let line = normalised_line(text);
    line.chars().count() <= 60
        && (END_OF_ARTICLE.contains(&line.as_str())
            || ["más sobre ", "more from ", "mehr zum thema ", "more about "].iter().any(|o| line.starts_with(o)))
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
        assert!(is_chrome_line("- Anzeige-"));
        assert!(is_chrome_line("Aktualisiert: 03.04.2020"));
        assert!(is_chrome_line("Siguenos en Telegram, Instagram, Facebook y Twitter"));
        assert!(is_chrome_line("Follow The Gleaner on Twitter and Instagram @JamaicaGleaner"));
        assert!(!is_chrome_line("Meta owns Facebook, Instagram and WhatsApp, and Twitter is now called X."));
        assert!(is_end_of_article("Das Thema könnte dich auch interessieren:"));
        assert!(is_end_of_article("Más sobre La Tercera AM"));
        assert!(!is_end_of_article("Related parties agreed on Monday"));
    }
}
