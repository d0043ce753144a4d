//! XLIFF, the exchange format of CAT tools: a held translation goes out as one file (1.2 by
//! default, which every tool reads; 2.0 on request) and comes back edited. Inline markup travels
//! as codes (`<g>`/`<x/>`, `<pc>`/`<ph>`) so an editor cannot damage a tag; each segment's flags
//! and backend ride along as notes, and flagged segments are marked for review.

use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::inline::{self, Piece};
use super::Draft;
use crate::model::Segment;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V12,
    V20,
}

pub const NAMESPACE_12: &str = "urn:oasis:names:tc:xliff:document:1.2";
pub const NAMESPACE_20: &str = "urn:oasis:names:tc:xliff:document:2.0";

/// The unit id of a segment: `s0` is the headline.
fn unit_id(index: usize) -> String {
    format!("s{index}")
}

/// A draft as an XLIFF document. The file's `original` is the review id, which import checks.
pub fn export(draft: &Draft, version: Version) -> String {
    let from = draft.source_language();
    let to = &draft.translation.language;
    let article = &draft.article;
    let about = format!(
        "{} (version {}) from {}; machine translation by {}",
        article.id,
        article.version,
        article.source,
        draft.translation.backend.as_deref().unwrap_or("?")
    );
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    match version {
        Version::V12 => {
            out.push_str(&format!("<xliff version=\"1.2\" xmlns=\"{NAMESPACE_12}\">\n"));
            out.push_str(&format!(
                "  <file original=\"{}\" source-language=\"{}\" target-language=\"{}\" datatype=\"html\" product-name=\"newswire\">\n",
                escape(draft.id()),
                escape(from),
                escape(to.as_str())
            ));
            out.push_str(&format!("    <header>\n      <note>{}</note>\n    </header>\n    <body>\n", escape(&about)));
            for (index, segment) in draft.translation.segments.iter().enumerate() {
                unit_12(&mut out, index, segment);
            }
            out.push_str("    </body>\n  </file>\n</xliff>\n");
        }
        Version::V20 => {
            out.push_str(&format!(
                "<xliff version=\"2.0\" xmlns=\"{NAMESPACE_20}\" srcLang=\"{}\" trgLang=\"{}\">\n",
                escape(from),
                escape(to.as_str())
            ));
            out.push_str(&format!("  <file id=\"{}\" original=\"{}\">\n", escape(draft.id()), escape(&article.id)));
            out.push_str(&format!("    <notes>\n      <note>{}</note>\n    </notes>\n", escape(&about)));
            for (index, segment) in draft.translation.segments.iter().enumerate() {
                unit_20(&mut out, index, segment);
            }
            out.push_str("  </file>\n</xliff>\n");
        }
    }
    out
}

fn unit_12(out: &mut String, index: usize, segment: &Segment) {
    let (source, codes) = inline::source_pieces(&segment.source);
    let target = inline::target_pieces(&segment.target, &codes);
    let state = if segment.flags.is_empty() { "translated" } else { "needs-review-translation" };
    let name = if index == 0 { "headline" } else { "paragraph" };
    out.push_str(&format!("      <trans-unit id=\"{}\" resname=\"{name}\">\n", unit_id(index)));
    out.push_str(&format!("        <source>{}</source>\n", pieces_12(&source)));
    out.push_str(&format!("        <target state=\"{state}\">{}</target>\n", pieces_12(&target)));
    for finding in &segment.flags {
        out.push_str(&format!(
            "        <note from=\"newswire\" priority=\"1\">{}: {}</note>\n",
            finding.flag,
            escape(&finding.detail)
        ));
    }
    out.push_str(&format!("        <note from=\"newswire\">backend: {}</note>\n", escape(&segment.backend)));
    out.push_str("      </trans-unit>\n");
}

fn pieces_12(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(&escape(text)),
            Piece::Open { id, name } => out.push_str(&format!("<g id=\"{id}\" ctype=\"x-html-{name}\">")),
            Piece::Close { .. } => out.push_str("</g>"),
            Piece::Empty { id, name } if name == "br" => out.push_str(&format!("<x id=\"{id}\" ctype=\"lb\"/>")),
            Piece::Empty { id, name } => out.push_str(&format!("<x id=\"{id}\" ctype=\"x-html-{name}\"/>")),
        }
    }
    out
}

fn unit_20(out: &mut String, index: usize, segment: &Segment) {
    let (source, codes) = inline::source_pieces(&segment.source);
    let target = inline::target_pieces(&segment.target, &codes);
    let state = if segment.flags.is_empty() { "translated" } else { "initial" };
    let name = if index == 0 { "headline" } else { "paragraph" };
    out.push_str(&format!("    <unit id=\"{}\" name=\"{name}\">\n      <notes>\n", unit_id(index)));
    for finding in &segment.flags {
        out.push_str(&format!(
            "        <note category=\"flag\" priority=\"1\">{}: {}</note>\n",
            finding.flag,
            escape(&finding.detail)
        ));
    }
    out.push_str(&format!("        <note category=\"backend\">{}</note>\n      </notes>\n", escape(&segment.backend)));
    let ids: Vec<usize> = source
        .iter()
        .filter_map(|p| match p {
            Piece::Open { id, .. } | Piece::Empty { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    if !ids.is_empty() {
        out.push_str("      <originalData>\n");
        for id in ids {
            out.push_str(&format!("        <data id=\"d{id}\">{}</data>\n", escape(codes.open(id).unwrap_or(""))));
            if !codes.is_empty(id) {
                out.push_str(&format!("        <data id=\"e{id}\">{}</data>\n", escape(codes.close(id).unwrap_or(""))));
            }
        }
        out.push_str("      </originalData>\n");
    }
    out.push_str(&format!("      <segment state=\"{state}\">\n"));
    out.push_str(&format!("        <source>{}</source>\n", pieces_20(&source)));
    out.push_str(&format!("        <target>{}</target>\n", pieces_20(&target)));
    out.push_str("      </segment>\n    </unit>\n");
}

fn pieces_20(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(&escape(text)),
            Piece::Open { id, .. } => {
                out.push_str(&format!("<pc id=\"{id}\" dataRefStart=\"d{id}\" dataRefEnd=\"e{id}\">"))
            }
            Piece::Close { .. } => out.push_str("</pc>"),
            Piece::Empty { id, .. } => out.push_str(&format!("<ph id=\"{id}\" dataRef=\"d{id}\"/>")),
        }
    }
    out
}

/// What an XLIFF file brought back: its review, and each unit's target as inline HTML.
#[derive(Debug, Clone)]
pub struct Returned {
    pub review: String,
    pub version: Version,
    pub target_language: Option<String>,
    /// (unit id, target pieces, source text).
    pub units: Vec<ReturnedUnit>,
}

#[derive(Debug, Clone)]
pub struct ReturnedUnit {
    pub id: String,
    pub source_text: String,
    pub target: Option<Vec<Piece>>,
}

/// Reads an XLIFF 1.2 or 2.0 file; the error says what is wrong and where.
pub fn read(xml: &str) -> Result<Returned, String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut returned =
        Returned { review: String::new(), version: Version::V12, target_language: None, units: Vec::new() };
    let mut unit: Option<ReturnedUnit> = None;
    // Where the text goes: 1 source, 2 target.
    let mut inside = 0;
    let mut pieces: Vec<Piece> = Vec::new();
    let mut open_codes: Vec<usize> = Vec::new();
    let mut seen_root = false;
    // Inside an <alt-trans> (a CAT tool's other suggestions): its source and target are not the unit's.
    let mut alternatives = 0;
    loop {
        let event = reader
            .read_event()
            .map_err(|err| format!("not well-formed XML at byte {}: {err}", reader.error_position()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = String::from_utf8_lossy(e.local_name().as_ref()).to_string();
                let attr = |key: &str| attribute(e, key);
                match name.as_str() {
                    "alt-trans" | "matches" if !empty => alternatives += 1,
                    _ if alternatives > 0 => {}
                    "xliff" => {
                        seen_root = true;
                        returned.version = match attr("version").as_deref() {
                            Some("1.2") => Version::V12,
                            Some(v) if v.starts_with("2.") => Version::V20,
                            other => return Err(format!("XLIFF version {other:?} is not 1.2 or 2.0")),
                        };
                        if returned.version == Version::V20 {
                            returned.target_language = attr("trgLang");
                        }
                    }
                    "file" => match returned.version {
                        Version::V12 => {
                            returned.review = attr("original").unwrap_or_default();
                            returned.target_language = attr("target-language");
                        }
                        Version::V20 => returned.review = attr("id").unwrap_or_default(),
                    },
                    "trans-unit" | "unit" => {
                        let id = attr("id").ok_or("a unit without an id")?;
                        unit = Some(ReturnedUnit { id, source_text: String::new(), target: None });
                    }
                    "source" if unit.is_some() && !empty => {
                        inside = 1;
                        pieces.clear();
                    }
                    "target" if unit.is_some() => {
                        inside = 2;
                        pieces.clear();
                        if empty {
                            inside = 0;
                            unit.as_mut().expect("in a unit").target = Some(Vec::new());
                        }
                    }
                    "g" | "pc" if inside > 0 => {
                        let id = code_id(attr("id"))?;
                        open_codes.push(id);
                        pieces.push(Piece::Open { id, name: name.clone() });
                        if empty {
                            open_codes.pop();
                            pieces.push(Piece::Close { id });
                        }
                    }
                    "x" | "ph" | "bx" | "ex" if inside > 0 => {
                        pieces.push(Piece::Empty { id: code_id(attr("id"))?, name: name.clone() })
                    }
                    _ => {}
                }
            }
            Event::End(ref e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).to_string();
                match name.as_str() {
                    "alt-trans" | "matches" => alternatives -= 1,
                    _ if alternatives > 0 => {}
                    "source" if inside == 1 => {
                        inside = 0;
                        if let Some(unit) = unit.as_mut() {
                            unit.source_text = text_of(&pieces);
                        }
                    }
                    "target" if inside == 2 => {
                        inside = 0;
                        if let Some(unit) = unit.as_mut() {
                            unit.target = Some(std::mem::take(&mut pieces));
                        }
                    }
                    "g" | "pc" if inside > 0 => {
                        let id = open_codes.pop().ok_or("a closing inline code without its opening")?;
                        pieces.push(Piece::Close { id });
                    }
                    "trans-unit" | "unit" => {
                        if let Some(unit) = unit.take() {
                            returned.units.push(unit);
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(ref t) if inside > 0 => {
                let text = t.xml10_content().map_err(|err| format!("bad text: {err}"))?;
                pieces.push(Piece::Text(text.into_owned()));
            }
            Event::GeneralRef(ref r) if inside > 0 => {
                let name = String::from_utf8_lossy(r.as_ref()).to_string();
                let text = match name.as_str() {
                    "amp" => "&".to_string(),
                    "lt" => "<".to_string(),
                    "gt" => ">".to_string(),
                    "quot" => "\"".to_string(),
                    "apos" => "'".to_string(),
                    _ => match r.resolve_char_ref().map_err(|err| format!("bad reference: {err}"))? {
                        Some(c) => c.to_string(),
                        None => return Err(format!("unknown entity &{name};")),
                    },
                };
                pieces.push(Piece::Text(text));
            }
            Event::CData(ref c) if inside > 0 => {
                pieces.push(Piece::Text(String::from_utf8_lossy(c.as_ref()).into_owned()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err("not an XLIFF file (no <xliff> element)".into());
    }
    if returned.review.is_empty() {
        return Err("the file does not name its review (file original or id)".into());
    }
    Ok(returned)
}

fn attribute(element: &BytesStart, key: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key.as_bytes())
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

fn code_id(id: Option<String>) -> Result<usize, String> {
    let id = id.ok_or("an inline code without an id")?;
    id.trim_start_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .map_err(|_| format!("inline code id {id:?} is not one newswire wrote"))
}

fn text_of(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

/// The edits a returned file makes to a draft: (segment index, inline HTML) for every unit,
/// each checked: the unit is one of the draft's and comes once, every segment comes back, its
/// source is the draft's, its target is not empty and has the source's tags. Any problem refuses
/// the whole file.
pub fn edits(returned: &Returned, draft: &Draft) -> Result<Vec<(usize, String)>, String> {
    if returned.review != draft.id() {
        return Err(format!("the file is for review {}, not {}", returned.review, draft.id()));
    }
    if let Some(language) = returned.target_language.as_deref().filter(|l| *l != draft.translation.language) {
        return Err(format!("the file's target language is {language}, not {}", draft.translation.language));
    }
    let count = draft.translation.segments.len();
    let mut edits = Vec::new();
    let mut seen = vec![false; count];
    for unit in &returned.units {
        let shown: String = unit.id.chars().take(64).flat_map(char::escape_default).collect();
        let index: usize = unit
            .id
            .strip_prefix('s')
            .and_then(|n| n.parse().ok())
            .filter(|&i| i < count && unit_id(i) == unit.id)
            .ok_or_else(|| format!("unit {shown}: not a segment of this article"))?;
        if std::mem::replace(&mut seen[index], true) {
            return Err(format!("unit {shown} is in the file twice"));
        }
        let segment = &draft.translation.segments[index];
        let source_text = crate::html::inline_text(&segment.source);
        if normalise(&unit.source_text) != normalise(&source_text) {
            return Err(format!(
                "unit {}: its source is not the article's (was the file made for another version?)",
                unit.id
            ));
        }
        let Some(target) = &unit.target else {
            return Err(format!("unit {}: no target", unit.id));
        };
        let html = draft.edited_segment(index, target).map_err(|why| format!("unit {}: {why}", unit.id))?;
        edits.push((index, html));
    }
    let missing: Vec<String> = (0..count).filter(|&i| !seen[i]).map(unit_id).collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} of the article's {count} segments did not come back: {}",
            missing.len(),
            missing.join(", ")
        ));
    }
    Ok(edits)
}

/// Text without its spacing: tools rewrap lines, and a line break code stands between words.
fn normalise(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Article, Translation};
    use crate::quality::{Finding, Flag};

    fn draft() -> Draft {
        let article = Article {
            id: "https://news.example/a".into(),
            content_hash: "abc".into(),
            language: Some("en".into()),
            title: "Mayor & council".into(),
            ..Default::default()
        };
        let segment = |source: &str, target: &str, flags: Vec<Finding>| Segment {
            source: source.into(),
            target: target.into(),
            backend: "llm".into(),
            flags,
        };
        let translation = Translation {
            language: "es".into(),
            backend: Some("llm".into()),
            title: "Alcalde y concejo".into(),
            blocks: Vec::new(),
            chars_sent: 0,
            chars_cached: 0,
            segments: vec![
                segment("Mayor &amp; council", "Alcalde y concejo", vec![]),
                segment(
                    r#"Read <a href="https://x.org/r">the report</a><br>on 3,000 homes."#,
                    r#"Lea <a href="https://x.org/r">el informe</a><br>sobre 3.500 viviendas."#,
                    vec![Finding { segment: 1, flag: Flag::Numbers, detail: "3000 < missing".into(), unusable: false }],
                ),
            ],
            layout: Vec::new(),
            unusable: None,
            reviewed: None,
            rule_based: false,
            escalations: Vec::new(),
            via: None,
            content: Default::default(),
            voice: Default::default(),
        };
        Draft { article, translation }
    }

    #[test]
    fn both_versions_go_out_and_come_back_unchanged() {
        let draft = draft();
        for version in [Version::V12, Version::V20] {
            let xml = export(&draft, version);
            assert!(xml.contains("3000 &lt; missing"), "{xml}");
            let returned = read(&xml).unwrap();
            assert_eq!(returned.version, version);
            let edits = edits(&returned, &draft).unwrap();
            assert_eq!(edits[0], (0, "Alcalde y concejo".to_string()));
            assert_eq!(edits[1].1, draft.translation.segments[1].target);
        }
        let v12 = export(&draft, Version::V12);
        assert!(v12.contains(r#"<target state="needs-review-translation">Lea <g id="1" ctype="x-html-a">el informe</g><x id="2" ctype="lb"/>"#), "{v12}");
    }

    #[test]
    fn broken_or_foreign_files_are_refused_with_the_unit_and_the_reason() {
        let draft = draft();
        let xml = export(&draft, Version::V12);
        let lost_code = xml.replace(r#"<x id="2" ctype="lb"/>sobre"#, "sobre");
        assert_eq!(
            edits(&read(&lost_code).unwrap(), &draft).unwrap_err(),
            "unit s1: inline codes were lost or doubled"
        );
        let strange_code = xml.replace(r#"<x id="2" ctype="lb"/>sobre"#, r#"<x id="7"/>sobre"#);
        assert_eq!(
            edits(&read(&strange_code).unwrap(), &draft).unwrap_err(),
            "unit s1: inline code 7 is not in the source"
        );
        let foreign = xml.replace(&draft.id(), "rev_other");
        assert!(edits(&read(&foreign).unwrap(), &draft).unwrap_err().contains("not"), "refused");
        assert!(read("<xliff version=\"1.2\"><file").is_err());
        assert!(read("<html/>").unwrap_err().contains("not an XLIFF file"));
        let suggested = xml.replace(
            "</target>\n        <note from=\"newswire\">backend: llm</note>\n      </trans-unit>\n      <trans-unit id=\"s1\"",
            "</target>\n        <alt-trans><source>Mayor</source><target>Otra cosa</target></alt-trans>\n        <note from=\"newswire\">backend: llm</note>\n      </trans-unit>\n      <trans-unit id=\"s1\"",
        );
        assert!(suggested.contains("Otra cosa"), "the suggestion went in");
        assert_eq!(
            edits(&read(&suggested).unwrap(), &draft).unwrap()[0].1,
            "Alcalde y concejo",
            "a suggestion is not the target"
        );
        let doubled = xml.replace(r#"<trans-unit id="s1""#, r#"<trans-unit id="s0""#);
        assert_eq!(edits(&read(&doubled).unwrap(), &draft).unwrap_err(), "unit s0 is in the file twice");
        let padded = xml.replace(r#"<trans-unit id="s1""#, r#"<trans-unit id="s01""#);
        assert_eq!(edits(&read(&padded).unwrap(), &draft).unwrap_err(), "unit s01: not a segment of this article");
        let start = xml.find(r#"<trans-unit id="s1""#).unwrap();
        let end = xml[start..].find("</trans-unit>").unwrap() + start + "</trans-unit>".len();
        let dropped = format!("{}{}", &xml[..start], &xml[end..]);
        assert_eq!(
            edits(&read(&dropped).unwrap(), &draft).unwrap_err(),
            "1 of the article's 2 segments did not come back: s1"
        );
        let emptied = xml.replace(">Alcalde y concejo</target>", "></target>");
        assert_eq!(edits(&read(&emptied).unwrap(), &draft).unwrap_err(), "unit s0: the target is empty");
    }
}
