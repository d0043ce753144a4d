//! The checks every answer goes through, run off the async threads (the language and dictionary
//! checks are CPU work), and what makes an answer unusable as it stands.

use crate::model::{Segment, HUMAN};
use crate::quality::Finding;
use crate::review::flags::Checker;

/// Flags every machine-made segment of an article.
pub(super) async fn check_all(checker: &Checker, segments: Vec<Segment>) -> Vec<Segment> {
    check_segments(checker, segments.into_iter().enumerate().collect()).await.into_iter().map(|(_, s)| s).collect()
}

/// Flags machine-made segments (with their index in the article), off the async threads: the
/// language and dictionary checks are CPU work.
pub(super) async fn check_segments(checker: &Checker, segments: Vec<(usize, Segment)>) -> Vec<(usize, Segment)> {
    let checker = checker.clone();
    let check = move || {
        let mut segments = segments;
        for (i, segment) in segments.iter_mut().filter(|(_, s)| s.backend != HUMAN) {
            segment.flags = checker.check(*i, &segment.source, &segment.target);
        }
        segments
    };
    tokio::task::spawn_blocking(check).await.expect("the checks do not panic")
}

/// What makes an answer unusable as it stands: a preamble, a loop or a passage cut off in any
/// segment; the source echoed back for most of the text (one quotation or a line of names left
/// as it was does not sink an article).
pub(super) fn unusable_findings(segments: &[Segment]) -> Vec<&Finding> {
    let echoed = |f: &&Finding| f.flag == crate::quality::Flag::Untranslated;
    let size = |s: &Segment| s.source.chars().count();
    let total: usize = segments.iter().map(size).sum();
    let echoed_chars: usize =
        segments.iter().filter(|s| s.flags.iter().any(|f| f.unusable && echoed(&f))).map(size).sum();
    let mostly_echoed = echoed_chars * 2 > total;
    segments.iter().flat_map(|s| &s.flags).filter(|f| f.unusable && (mostly_echoed || !echoed(f))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::Flag;

    fn segment(source: &str, flag: Option<(Flag, bool)>) -> Segment {
        let flags = flag
            .map(|(flag, unusable)| vec![Finding { segment: 0, flag, detail: String::new(), unusable }])
            .unwrap_or_default();
        Segment { source: source.into(), target: String::new(), backend: "b".into(), flags }
    }

    #[test]
    fn one_echoed_quotation_does_not_sink_an_article_but_one_preamble_does() {
        let long = "A paragraph of the story that the backend translated well enough.";
        let echo = Some((Flag::Untranslated, true));
        let quoted = [segment(long, None), segment("Il faut bien le faire.", echo), segment(long, None)];
        assert!(unusable_findings(&quoted).is_empty());
        let echoed = [segment(long, echo), segment("Short headline", None), segment(long, echo)];
        assert_eq!(unusable_findings(&echoed).len(), 2);
        let chatty = [segment(long, None), segment(long, Some((Flag::Chatter, true))), segment(long, None)];
        assert_eq!(unusable_findings(&chatty).len(), 1);
        let flagged = [segment(long, Some((Flag::Numbers, false)))];
        assert!(unusable_findings(&flagged).is_empty(), "a flag alone leaves the answer usable");
    }
}
