//! Article metadata from the page head: Open Graph, `<meta>` names, JSON-LD (schema.org), the
//! canonical link and `<html lang>`.

use html5ever::local_name;
use serde_json::Value;
use url::Url;

use super::dom::Dom;

#[derive(Debug, Default, Clone)]
pub struct Metadata {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub section: Option<String>,
    pub canonical_url: Option<String>,
    pub declared_language: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    /// `<meta name="embargo">`: not to be published before.
    pub embargo: Option<String>,
    /// JSON-LD `articleBody`, when the page has one.
    pub article_body: Option<String>,
}

pub fn read(dom: &Dom, json_ld: &[String], base: Option<&Url>) -> Metadata {
    let mut meta = Meta::default();
    let mut title_tag = None;
    let mut canonical = None;
    let mut first_h1 = None;
    let mut first_time = None;
    for (i, name) in dom.elements() {
        match *name {
            local_name!("meta") => {
                let key = dom
                    .attr(i, local_name!("property"))
                    .or_else(|| dom.attr(i, local_name!("name")))
                    .or_else(|| dom.attr(i, local_name!("itemprop")));
                if let (Some(key), Some(content)) = (key, dom.attr(i, local_name!("content"))) {
                    meta.set(&key.to_ascii_lowercase(), content.trim());
                }
            }
            local_name!("title") if title_tag.is_none() => title_tag = Some(dom.text(i)),
            local_name!("link") if canonical.is_none() => {
                if dom.attr(i, local_name!("rel")).is_some_and(|r| r.eq_ignore_ascii_case("canonical")) {
                    canonical = dom.attr(i, local_name!("href")).map(str::to_string);
                }
            }
            local_name!("h1") if first_h1.is_none() => first_h1 = Some(dom.text(i)).filter(|t| !t.is_empty()),
            local_name!("time") if first_time.is_none() => {
                first_time = dom.attr(i, local_name!("datetime")).map(str::to_string)
            }
            _ => {}
        }
    }
    let ld = json_ld
        .iter()
        .filter_map(|text| serde_json::from_str::<Value>(text.trim()).ok())
        .find_map(|v| find_article(&v).cloned());
    let ld_str = |key: &str| ld.as_ref().and_then(|a| text_of(a.get(key)?));

    let absolute = |link: Option<String>| -> Option<String> {
        let link = link?;
        match base {
            Some(base) => base.join(link.trim()).ok().map(|u| u.to_string()),
            None => Url::parse(link.trim()).ok().map(|u| u.to_string()),
        }
    };
    let html = dom.find_first(local_name!("html"));
    let declared_language =
        html.and_then(|h| dom.attr(h, local_name!("lang"))).map(|l| l.trim().to_string()).filter(|l| !l.is_empty());

    let title = choose_title(
        ld_str("headline"),
        meta.get("og:title").or(meta.get("twitter:title")),
        first_h1,
        title_tag,
        meta.get("og:site_name"),
    );
    let byline = ld
        .as_ref()
        .and_then(|a| authors(a.get("author")?))
        .or(meta.get("author"))
        .or(meta.get("article:author").filter(|a| !a.starts_with("http")));
    Metadata {
        title,
        byline,
        published: ld_str("datePublished")
            .or(meta.get("article:published_time"))
            .or(meta.get("date"))
            .or(meta.get("pubdate"))
            .or(meta.get("datepublished"))
            .or(first_time)
            .and_then(|d| iso_date(&d)),
        modified: ld_str("dateModified").or(meta.get("article:modified_time")).and_then(|d| iso_date(&d)),
        section: ld_str("articleSection").or(meta.get("article:section")),
        canonical_url: absolute(canonical.or(meta.get("og:url"))),
        declared_language,
        description: meta.get("og:description").or(meta.get("description")).or(ld_str("description")),
        image: absolute(meta.get("og:image").or_else(|| ld.as_ref().and_then(|a| image_of(a.get("image")?)))),
        embargo: meta.get("embargo").or(meta.get("article:embargo")).and_then(|d| iso_date(&d)),
        article_body: ld_str("articleBody"),
    }
}

#[derive(Default)]
struct Meta(Vec<(String, String)>);

impl Meta {
    fn set(&mut self, key: &str, value: &str) {
        if !value.is_empty() && self.get(key).is_none() {
            self.0.push((key.to_string(), value.to_string()));
        }
    }

    fn get(&self, key: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }
}

/// The headline: JSON-LD, then the page's `<h1>` when the other sources agree with it, then
/// Open Graph or `<title>` without the site name.
fn choose_title(
    ld: Option<String>,
    og: Option<String>,
    h1: Option<String>,
    title_tag: Option<String>,
    site: Option<String>,
) -> Option<String> {
    if let Some(ld) = ld.filter(|t| t.chars().count() > 3) {
        return Some(ld);
    }
    let titled = og.or(title_tag);
    if let (Some(h1), Some(t)) = (&h1, &titled) {
        let logo = is_site_name(h1, t, site.as_deref());
        if !logo && (t.contains(h1.as_str()) || is_headline_of(h1, t)) {
            return Some(h1.clone());
        }
    }
    match titled {
        Some(t) => Some(strip_site_name(&t, site.as_deref())),
        None => h1,
    }
}

/// Separators between a headline and the site's name in a `<title>`.
const TITLE_SEPARATORS: [&str; 7] = [" | ", " - ", " — ", " – ", " :: ", " · ", " / "];

/// The share of the title's headline words the `<h1>` must hold to be taken for the full headline.
const H1_TITLE_OVERLAP: f64 = 0.6;

/// Whether the page's `<h1>` is its headline, of which the `<title>` holds a (shortened) copy
/// beside the site name: "Flood barrier | City Times" and `<h1>Flood barrier holds as the river
/// peaks</h1>`.
fn is_headline_of(h1: &str, title: &str) -> bool {
    let h1_words = title_words(h1);
    let head = title_words(title_parts(title)[0]);
    let shared = head.iter().filter(|w| h1_words.contains(w)).count();
    h1_words.len() >= 2 && !head.is_empty() && shared as f64 / head.len() as f64 >= H1_TITLE_OVERLAP
}

/// Whether the `<h1>` is the site's name (a logo): Open Graph's site name, or a part of the
/// `<title>` after its separator.
fn is_site_name(h1: &str, title: &str, site: Option<&str>) -> bool {
    let h1 = h1.trim();
    site.is_some_and(|s| s.trim().eq_ignore_ascii_case(h1))
        || title_parts(title)[1..].iter().any(|p| p.trim().eq_ignore_ascii_case(h1))
}

/// A `<title>` split at its first headline/site separator.
fn title_parts(title: &str) -> Vec<&str> {
    TITLE_SEPARATORS
        .iter()
        .find_map(|sep| title.split_once(sep).map(|(head, tail)| vec![head, tail]))
        .unwrap_or_else(|| vec![title])
}

fn title_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

fn strip_site_name(title: &str, site: Option<&str>) -> String {
    for sep in TITLE_SEPARATORS {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            let tail_is_site = site.is_some_and(|s| tail.trim().eq_ignore_ascii_case(s.trim()))
                || tail.split_whitespace().count() <= 3 && head.split_whitespace().count() >= 3;
            if tail_is_site {
                return head.trim().to_string();
            }
        }
    }
    title.trim().to_string()
}

fn find_article(value: &Value) -> Option<&Value> {
    match value {
        Value::Array(items) => items.iter().find_map(find_article),
        Value::Object(map) => {
            let is_article = match map.get("@type") {
                Some(Value::String(t)) => is_article_type(t),
                Some(Value::Array(ts)) => ts.iter().any(|t| t.as_str().is_some_and(is_article_type)),
                _ => false,
            };
            if is_article {
                return Some(value);
            }
            map.get("@graph").and_then(find_article).or_else(|| map.get("mainEntity").and_then(find_article))
        }
        _ => None,
    }
}

fn is_article_type(t: &str) -> bool {
    t.ends_with("Article") || matches!(t, "BlogPosting" | "Report" | "LiveBlogPosting")
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Array(items) => items.iter().find_map(text_of),
        _ => None,
    }
}

fn authors(value: &Value) -> Option<String> {
    let names: Vec<String> = match value {
        Value::Array(items) => items.iter().filter_map(author_name).collect(),
        other => author_name(other).into_iter().collect(),
    };
    (!names.is_empty()).then(|| names.join(", "))
}

fn author_name(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => map.get("name").and_then(text_of),
        _ => None,
    }
}

fn image_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => items.iter().find_map(image_of),
        Value::Object(map) => map.get("url").and_then(text_of),
        _ => None,
    }
}

/// A date as ISO 8601: RFC 3339 and plain dates kept, RFC 2822 converted, anything else dropped.
pub fn iso_date(text: &str) -> Option<String> {
    use time::format_description::well_known::{Rfc2822, Rfc3339};
    let text = text.trim();
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return t.format(&Rfc3339).ok();
    }
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc2822) {
        return t.format(&Rfc3339).ok();
    }
    let bytes = text.as_bytes();
    let looks_iso = bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5..7].iter().all(u8::is_ascii_digit)
        && bytes[7] == b'-'
        && bytes[8..10].iter().all(u8::is_ascii_digit);
    looks_iso.then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_loses_the_site_name() {
        assert_eq!(strip_site_name("Big news today in Vilnius | The Daily", None), "Big news today in Vilnius");
        assert_eq!(strip_site_name("Markets - Stocks rise", Some("Nope")), "Markets - Stocks rise");
        assert_eq!(
            choose_title(
                None,
                Some("Storm hits the coast - Daily".into()),
                Some("Storm hits the coast".into()),
                None,
                None
            ),
            Some("Storm hits the coast".into())
        );
    }

    #[test]
    fn the_h1_is_the_headline_when_the_title_holds_it_beside_the_site_name() {
        let chosen = |h1: &str, title: &str| choose_title(None, None, Some(h1.into()), Some(title.into()), None);
        assert_eq!(
            chosen("Flood barrier holds as the river peaks", "Flood barrier | City Times").as_deref(),
            Some("Flood barrier holds as the river peaks")
        );
        // A logo in the h1 is not the headline.
        assert_eq!(
            chosen("City Times", "Flood barrier holds as the river peaks | City Times").as_deref(),
            Some("Flood barrier holds as the river peaks")
        );
        // An h1 about something else (a section name) is not either.
        assert_eq!(
            chosen("Weather", "Flood barrier holds as the river peaks").as_deref(),
            Some("Flood barrier holds as the river peaks")
        );
    }

    #[test]
    fn dates_become_iso() {
        assert_eq!(iso_date("Tue, 13 Aug 2024 10:00:00 GMT").as_deref(), Some("2024-08-13T10:00:00Z"));
        assert_eq!(iso_date("2024-08-13").as_deref(), Some("2024-08-13"));
        assert_eq!(iso_date("yesterday"), None);
    }
}
