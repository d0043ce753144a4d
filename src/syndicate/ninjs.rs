//! IPTC ninjs 2.x items: the JSON a webhook partner receives for one copy.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::PartnerCopy;
use crate::model::hex;

/// A stable URI for an article in one language.
pub fn item_uri(article_id: &str, language: &str) -> String {
    let hash = hex(&Sha256::digest(article_id.as_bytes())[..12]);
    format!("urn:newswire:{hash}:{language}")
}

/// IPTC's digital source type of a translated copy: a trained model's work (neural, LLM), an
/// algorithm's (rules), or a person's combined with a model's once reviewed.
fn digital_source_type(copy: &PartnerCopy, backend: &str) -> Value {
    const CV: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/";
    let (code, name) = match (&copy.reviewed, copy.rule_based) {
        (Some(_), _) => ("compositeWithTrainedAlgorithmicMedia", "Machine translation reviewed by a person"),
        (None, true) => ("algorithmicMedia", "Rule-based machine translation"),
        (None, false) => ("trainedAlgorithmicMedia", "Machine translation by a trained model"),
    };
    json!({"name": name, "uri": format!("{CV}{code}"), "literal": format!("machine-translated by {backend}")})
}

pub fn item(copy: &PartnerCopy, now_rfc3339: &str) -> Value {
    let article = &copy.article;
    let mut item = json!({
        "uri": item_uri(&article.id, &copy.language),
        "type": "text",
        "version": article.version.to_string(),
        "versioncreated": now_rfc3339,
        "firstcreated": article.published.as_deref().filter(|d| d.len() > 10).unwrap_or(now_rfc3339),
        "pubstatus": if copy.event == super::Event::Killed { "canceled" } else { "usable" },
        "language": copy.language,
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": copy.title}],
        "bodies": [
            {"role": "main", "contenttype": "text/plain", "value": copy.text},
            {"role": "main", "contenttype": "text/html", "value": copy.html},
        ],
        "altids": [{"role": "newswire-article-id", "value": article.id}],
        "usageterms": format!("Syndicated by the {} desk to {}; republication under your agreement with the desk.", copy.desk, copy.partner),
    });
    let map = item.as_object_mut().expect("an object");
    if let Some(by) = &article.byline {
        map.insert("by".into(), json!(by));
    }
    if let Some(section) = &article.section {
        map.insert("subjects".into(), json!([{"name": section, "rel": "section"}]));
    }
    if let Some(backend) = &copy.backend {
        let original_language = article.language.clone().unwrap_or_default();
        let mut original = json!({
            "name": "original",
            "uri": item_uri(&article.id, &original_language),
            "language": original_language,
            "headlines": [{"role": "main", "value": article.title}],
        });
        if let Some(url) = &article.canonical_url {
            original["altids"] = json!([{"role": "canonical-url", "value": url}]);
        }
        map.insert("associations".into(), json!([original]));
        let translated_by = copy.translated_by().unwrap_or_else(|| backend.clone());
        map.insert("digitalsourcetype".into(), digital_source_type(copy, &translated_by));
        let by = copy.reviewed.as_ref().map(|r| r.by.clone().unwrap_or_else(|| format!("the {} desk", copy.desk)));
        let mut sources = Vec::new();
        if let Some(by) = &by {
            sources.push(json!({"name": by, "role": "reviewer"}));
        }
        let engines = if copy.engines.is_empty() { std::slice::from_ref(backend) } else { &copy.engines[..] };
        for engine in engines {
            sources.push(json!({"name": engine, "role": "machine-translation"}));
        }
        match &article.canonical_url {
            Some(url) => sources.push(json!({"name": "original", "role": "original", "uri": url})),
            None => sources.push(json!({"name": "original", "role": "original", "literal": article.id})),
        }
        map.insert("infosources".into(), json!(sources));
        let review = match &by {
            Some(by) => format!("reviewed by {by}"),
            None => "not reviewed by a person".to_string(),
        };
        let original = article.canonical_url.as_deref().unwrap_or(&article.id);
        let via = copy.via.as_ref().map(|v| format!(" via {v}")).unwrap_or_default();
        map.insert(
            "ednote".into(),
            json!(format!(
                "Machine translation from {original_language}{via} by {translated_by}, {review}. Original: {original}"
            )),
        );
    }
    item
}
