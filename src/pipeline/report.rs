//! The run report: every article with its final status, as JSON for scripts and as a summary for people.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Partner;
use crate::model::{Content, Escalation, Voice};
use crate::quality::Finding;
use crate::store::StoreError;
use crate::syndicate::deliver::DeliveryOutcome;
use crate::syndicate::PartnerCopy;

/// What the report says of a copy held for an editor.
pub const HELD: &str = "held for review: `newswire review list PIPELINE` shows it";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Failed,
    Skipped,
    /// Waiting for an editor (`newswire review`): not a failure.
    Held,
    /// A translation waiting for the next day or month of its budget: not a failure; a run after
    /// the period turns makes it.
    #[serde(rename = "over budget")]
    OverBudget,
}

#[derive(Debug, Clone, Serialize)]
pub struct TranslationReport {
    pub language: String,
    pub backend: Option<String>,
    pub status: Status,
    pub error: Option<String>,
    /// Characters sent to the backend (billed), and served from the translation memory.
    pub chars_sent: usize,
    pub chars_cached: usize,
    /// What the checks found, segment by segment.
    pub flags: Vec<Finding>,
    /// Every engine whose words are in the copy, the first one first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub engines: Vec<String>,
    /// Flagged segments sent on to later backends of the chain (`[translate] escalate`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub escalations: Vec<Escalation>,
    /// The way the text went: one hop, or two through a bridge language (`[translate] pivot`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<Hop>,
    /// The cut translated, when partners took less than the whole story.
    #[serde(skip_serializing_if = "Content::is_full")]
    pub content: Content,
    /// The register, chain and glossary a partner asked for, when not the desk's.
    #[serde(flatten)]
    pub voice: Voice,
}

/// One leg of a translation's way, and what it cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub from: String,
    pub to: String,
    pub backend: String,
    pub chars_sent: usize,
    pub chars_cached: usize,
}

impl Hop {
    /// The hops of a translation from `from`: the one into the bridge language first.
    pub fn of(translation: &crate::model::Translation, from: &str) -> Vec<Hop> {
        let backend = translation.backend.clone().unwrap_or_default();
        let last = |from: &str| Hop {
            from: from.to_string(),
            to: translation.language.clone(),
            backend,
            chars_sent: translation.chars_sent,
            chars_cached: translation.chars_cached,
        };
        match &translation.via {
            None => vec![last(from)],
            Some(via) => vec![
                Hop {
                    from: from.to_string(),
                    to: via.language.clone(),
                    backend: via.backend.clone(),
                    chars_sent: via.chars_sent,
                    chars_cached: via.chars_cached,
                },
                last(&via.language),
            ],
        }
    }

    /// `uk→en→es`.
    pub fn route(path: &[Hop]) -> String {
        let mut route: Vec<&str> = path.first().map(|h| h.from.as_str()).into_iter().collect();
        route.extend(path.iter().map(|h| h.to.as_str()));
        route.join("→")
    }
}

impl TranslationReport {
    /// A translation that was not made.
    pub fn without(language: &str, backend: Option<String>, status: Status, error: String) -> Self {
        TranslationReport {
            language: language.to_string(),
            backend,
            status,
            error: Some(error),
            chars_sent: 0,
            chars_cached: 0,
            flags: Vec::new(),
            engines: Vec::new(),
            escalations: Vec::new(),
            path: Vec::new(),
            content: Content::Full,
            voice: Voice::default(),
        }
    }
}

/// What one backend was asked for in a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BackendUsage {
    pub chars_sent: usize,
    pub chars_cached: usize,
    /// Requests sent, and the fewest the backend's request limits allow for the same segments.
    pub requests: usize,
    pub minimum_requests: usize,
    /// Segments it was sent because an earlier backend's answer was flagged, and their characters
    /// (sent and served from the memory).
    pub escalated_segments: usize,
    pub escalated_chars: usize,
    /// What the characters sent cost at the backend's `price`, and what those the memory served
    /// would have cost; none for a free engine. In a dry run, what they would cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Money {
    pub amount: f64,
    pub currency: String,
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2} {}", self.amount, self.currency)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DeliveryReport {
    pub id: String,
    pub partner: String,
    pub channel: String,
    pub language: String,
    pub status: Status,
    pub error: Option<String>,
    /// Attempts this run made for a delivered copy.
    pub attempts: u32,
}

impl DeliveryReport {
    /// A delivery that failed before it could be attempted.
    pub fn failed(id: &str, partner: &str, why: impl Into<String>) -> Self {
        DeliveryReport {
            id: id.to_string(),
            partner: partner.to_string(),
            channel: String::new(),
            language: String::new(),
            status: Status::Failed,
            error: Some(why.into()),
            attempts: 0,
        }
    }
}

/// The report line of one delivery of a copy.
pub fn deliver_report(
    copy: &PartnerCopy,
    partner: &Partner,
    outcome: Result<DeliveryOutcome, StoreError>,
) -> DeliveryReport {
    let mut report = DeliveryReport {
        id: copy.delivery_id.clone(),
        partner: partner.name.clone(),
        channel: partner.channel.name().to_string(),
        language: copy.language.clone(),
        status: Status::Skipped,
        error: None,
        attempts: 0,
    };
    report.apply(outcome);
    report
}

impl DeliveryReport {
    /// What a delivery's outcome means in the run report.
    pub fn apply(&mut self, outcome: Result<DeliveryOutcome, StoreError>) {
        let (status, error, attempts) = match outcome {
            Ok(DeliveryOutcome::Delivered { attempts, refused }) if refused.is_empty() => (Status::Ok, None, attempts),
            // The partner got the copy, but an address of its refused it: that recipient failed.
            Ok(DeliveryOutcome::Delivered { attempts, refused }) => {
                (Status::Failed, Some(format!("delivered, but refused by {}", refused.join("; "))), attempts)
            }
            Ok(DeliveryOutcome::AlreadyDelivered) => (Status::Skipped, Some("already delivered".to_string()), 0),
            Ok(DeliveryOutcome::WillRetry { at, error }) => {
                (Status::Failed, Some(format!("{error}; next attempt at {at} (newswire deliver PIPELINE --due)")), 0)
            }
            Ok(DeliveryOutcome::Failed { error }) => (Status::Failed, Some(error), 0),
            Ok(DeliveryOutcome::PartnerDisabled { reason }) => (Status::Failed, Some(reason), 0),
            Ok(DeliveryOutcome::InReview) => (Status::Held, Some(HELD.to_string()), 0),
            Ok(DeliveryOutcome::Elsewhere) => {
                (Status::Skipped, Some("another worker is delivering it now".to_string()), 0)
            }
            Ok(DeliveryOutcome::TakenOver { error }) => (
                Status::Skipped,
                Some(format!("{error}; another worker had taken the delivery over, its attempt stands")),
                0,
            ),
            Ok(DeliveryOutcome::Embargoed { until }) => (
                Status::Skipped,
                Some(format!("embargoed until {until}; `newswire deliver PIPELINE --due` sends it then")),
                0,
            ),
            Err(err) => (Status::Failed, Some(err.to_string()), 0),
        };
        self.status = status;
        self.error = error;
        self.attempts = attempts;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ArticleReport {
    pub id: String,
    pub source: String,
    pub title: Option<String>,
    pub language: Option<String>,
    pub confidence: Option<f64>,
    pub status: Status,
    pub error: Option<String>,
    pub translations: Vec<TranslationReport>,
    pub deliveries: Vec<DeliveryReport>,
}

impl ArticleReport {
    pub fn failed(source: &str, error: String) -> Self {
        ArticleReport {
            id: source.to_string(),
            source: source.to_string(),
            title: None,
            language: None,
            confidence: None,
            status: Status::Failed,
            error: Some(error),
            translations: Vec::new(),
            deliveries: Vec::new(),
        }
    }

    /// Failed when the article or any of its translations or deliveries failed.
    pub fn settle(&mut self) {
        if self.status != Status::Ok {
            return;
        }
        let failed_translations: Vec<&TranslationReport> =
            self.translations.iter().filter(|t| t.status == Status::Failed).collect();
        let failed_deliveries: Vec<&DeliveryReport> =
            self.deliveries.iter().filter(|d| d.status == Status::Failed).collect();
        if failed_translations.is_empty() && failed_deliveries.is_empty() {
            return;
        }
        self.status = Status::Failed;
        let mut reasons: Vec<String> = failed_translations
            .iter()
            .map(|t| format!("translation to {} failed", t.language))
            .chain(failed_deliveries.iter().map(|d| format!("delivery to {} ({}) failed", d.partner, d.language)))
            .collect();
        reasons.dedup();
        self.error = Some(reasons.join("; "));
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub articles: usize,
    pub failed: usize,
    pub skipped: usize,
    pub translations: usize,
    pub deliveries: usize,
    pub delivered: usize,
    pub deliveries_skipped: usize,
    /// Delivered by an earlier run: nothing sent again.
    pub already_delivered: usize,
    pub chars_sent: usize,
    pub chars_cached: usize,
    /// Copies waiting for an editor.
    pub held: usize,
    /// Segments flagged, per flag.
    pub flagged: BTreeMap<String, usize>,
    /// What the backends' characters cost, per currency.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub cost: BTreeMap<String, f64>,
    /// Translations waiting for their budget's next day or month.
    #[serde(skip_serializing_if = "is_zero")]
    pub over_budget: usize,
    /// Translations made through a bridge language, per route (`uk→en→es`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub pivoted: BTreeMap<String, usize>,
}

/// The report of a run as it grows: totals and backend usage over every article, and the articles
/// that failed or were skipped (the summary names them). Each article is handed to the caller as
/// it ends and not kept otherwise, so a batch of any size costs the same memory.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub pipeline: String,
    pub dry_run: bool,
    pub totals: Totals,
    /// Characters and requests per backend.
    pub backends: BTreeMap<String, BackendUsage>,
    /// The articles that failed or were skipped.
    #[serde(skip)]
    pub unfinished: Vec<ArticleReport>,
}

impl Report {
    pub fn start(pipeline: &str, dry_run: bool) -> Self {
        Report {
            pipeline: pipeline.to_string(),
            dry_run,
            totals: Totals::default(),
            backends: Default::default(),
            unfinished: Vec::new(),
        }
    }

    /// Counts an article that ended.
    pub fn add(&mut self, article: &ArticleReport) {
        let totals = &mut self.totals;
        totals.articles += 1;
        for t in &article.translations {
            totals.chars_sent += t.chars_sent;
            totals.chars_cached += t.chars_cached;
            for finding in &t.flags {
                *totals.flagged.entry(finding.flag.to_string()).or_default() += 1;
            }
            if let Some(backend) = &t.backend {
                let usage = self.backends.entry(backend.clone()).or_default();
                usage.chars_sent += t.chars_sent;
                usage.chars_cached += t.chars_cached;
            }
            if t.path.len() > 1 {
                *totals.pivoted.entry(Hop::route(&t.path)).or_default() += 1;
            }
            for hop in t.path.iter().rev().skip(1) {
                totals.chars_sent += hop.chars_sent;
                totals.chars_cached += hop.chars_cached;
                let usage = self.backends.entry(hop.backend.clone()).or_default();
                usage.chars_sent += hop.chars_sent;
                usage.chars_cached += hop.chars_cached;
            }
            for escalation in &t.escalations {
                totals.chars_sent += escalation.chars_sent;
                totals.chars_cached += escalation.chars_cached;
                let usage = self.backends.entry(escalation.backend.clone()).or_default();
                usage.chars_sent += escalation.chars_sent;
                usage.chars_cached += escalation.chars_cached;
                usage.escalated_segments += escalation.segments;
                usage.escalated_chars += escalation.chars_sent + escalation.chars_cached;
            }
        }
        match article.status {
            Status::Failed => totals.failed += 1,
            Status::Skipped => totals.skipped += 1,
            Status::Ok | Status::Held | Status::OverBudget => {}
        }
        totals.over_budget += article.translations.iter().filter(|t| t.status == Status::OverBudget).count();
        totals.held += article.deliveries.iter().filter(|d| d.status == Status::Held).count();
        totals.translations += article.translations.iter().filter(|t| t.status == Status::Ok).count();
        totals.deliveries += article.deliveries.len();
        totals.delivered += article.deliveries.iter().filter(|d| d.status == Status::Ok).count();
        let already = |d: &&DeliveryReport| d.error.as_deref() == Some("already delivered");
        totals.already_delivered += article.deliveries.iter().filter(already).count();
        totals.deliveries_skipped +=
            article.deliveries.iter().filter(|d| d.status == Status::Skipped).filter(|d| !already(d)).count();
        if article.status != Status::Ok {
            self.unfinished.push(article.clone());
        }
    }

    /// Adds the requests each backend was sent.
    pub fn with_requests(mut self, counts: Vec<(String, crate::translate::RequestCount)>) -> Self {
        for (backend, count) in counts {
            let usage = self.backends.entry(backend).or_default();
            usage.requests = count.requests;
            usage.minimum_requests = count.minimum;
        }
        self
    }

    /// Prices what each backend was sent, and what its memory saved.
    pub fn with_prices(mut self, backends: &std::collections::BTreeMap<String, crate::config::BackendConfig>) -> Self {
        for (name, usage) in &mut self.backends {
            let Some(price) = backends.get(name).map(|b| &b.price) else { continue };
            let Some(currency) = price.currency() else { continue };
            let money = |chars: usize| Money { amount: price.cost(chars), currency: currency.to_string() };
            usage.cost = Some(money(usage.chars_sent));
            usage.saved = Some(money(usage.chars_cached));
            *self.totals.cost.entry(currency.to_string()).or_default() += price.cost(usage.chars_sent);
        }
        self
    }

    pub fn has_failures(&self) -> bool {
        self.totals.failed > 0
    }

    /// The summary printed for people at the end of a run.
    pub fn summary(&self) -> String {
        let t = &self.totals;
        let mut out = format!(
            "{}: {} article{} ({} ok, {} failed, {} skipped), {} translation{}, {} of {} deliver{} made ({}{} skipped){}\n",
            self.pipeline,
            t.articles,
            plural(t.articles),
            t.articles - t.failed - t.skipped,
            t.failed,
            t.skipped,
            t.translations,
            plural(t.translations),
            t.delivered,
            t.deliveries,
            if t.deliveries == 1 { "y" } else { "ies" },
            if t.already_delivered > 0 { format!("{} already delivered, ", t.already_delivered) } else { String::new() },
            t.deliveries_skipped,
            if self.dry_run { " (dry run: nothing sent)" } else { "" },
        );
        if t.held > 0 {
            out.push_str(&format!(
                "  {} cop{} held for review (newswire review list PIPELINE)\n",
                t.held,
                if t.held == 1 { "y" } else { "ies" },
            ));
        }
        if t.over_budget > 0 {
            out.push_str(&format!(
                "  {} translation{} over budget: made by a run after the day or month turns\n",
                t.over_budget,
                plural(t.over_budget)
            ));
        }
        if !t.pivoted.is_empty() {
            let routes: Vec<String> = t.pivoted.iter().map(|(route, n)| format!("{route} {n}")).collect();
            out.push_str(&format!("  through a bridge language: {}\n", routes.join(", ")));
        }
        if !t.flagged.is_empty() {
            let per_flag: Vec<String> = t.flagged.iter().map(|(flag, n)| format!("{flag} {n}")).collect();
            out.push_str(&format!("  segments flagged: {}\n", per_flag.join(", ")));
        }
        for (backend, usage) in &self.backends {
            let escalated = match usage.escalated_segments {
                0 => String::new(),
                n => format!(" ({n} flagged segment{} escalated, {} characters)", plural(n), usage.escalated_chars),
            };
            let (cost, saved) = match (&usage.cost, &usage.saved) {
                (Some(cost), Some(saved)) => (format!(" ({cost})"), format!(" ({saved} saved)")),
                _ => (String::new(), String::new()),
            };
            let would = if self.dry_run { "would be " } else { "" };
            out.push_str(&format!(
                "  {backend}: {} characters {would}sent{cost}, {} served from the translation memory{saved}{escalated}; {} request{} (at least {})\n",
                usage.chars_sent,
                usage.chars_cached,
                usage.requests,
                plural(usage.requests),
                usage.minimum_requests
            ));
        }
        let mut unfinished: Vec<&ArticleReport> = self.unfinished.iter().collect();
        unfinished.sort_by(|a, b| a.source.cmp(&b.source));
        for article in unfinished {
            let label = match article.status {
                Status::Ok | Status::Held | Status::OverBudget => continue,
                Status::Failed => "failed ",
                Status::Skipped => "skipped",
            };
            out.push_str(&format!("  {label} {}: {}\n", article.source, article.error.as_deref().unwrap_or("")));
            for t in article.translations.iter().filter(|t| t.status == Status::Failed) {
                out.push_str(&format!(
                    "          translation to {}: {}\n",
                    t.language,
                    t.error.as_deref().unwrap_or("")
                ));
            }
            for d in article.deliveries.iter().filter(|d| d.status == Status::Failed) {
                out.push_str(&format!(
                    "          {} by {} ({}): {}\n",
                    d.partner,
                    d.channel,
                    d.language,
                    d.error.as_deref().unwrap_or("")
                ));
            }
        }
        out
    }
}

/// The JSON report written as the run goes: `{"pipeline", "dry_run", "articles": [...],
/// "totals", "backends"}`, one article at a time, so it is never held whole. Nothing is written
/// before the first article, so a run that cannot start leaves stdout empty.
pub struct JsonReport<W: std::io::Write> {
    out: W,
    head: String,
    articles: usize,
}

impl<W: std::io::Write> JsonReport<W> {
    pub fn begin(out: W, pipeline: &str, dry_run: bool) -> Self {
        let pipeline = serde_json::to_string(pipeline).expect("a string serialises");
        let head = format!("{{\n  \"pipeline\": {pipeline},\n  \"dry_run\": {dry_run},\n  \"articles\": [");
        JsonReport { out, head, articles: 0 }
    }

    /// One article, passed through `shown` (which hides secrets) on its way out.
    pub fn article(&mut self, article: &ArticleReport, shown: impl Fn(&str) -> String) -> std::io::Result<()> {
        let json = serde_json::to_string_pretty(article).expect("a report serialises");
        let indented = json.replace('\n', "\n    ");
        let before = if self.articles == 0 { std::mem::take(&mut self.head) } else { ",".to_string() };
        write!(self.out, "{before}\n    {}", shown(&indented))?;
        self.articles += 1;
        Ok(())
    }

    pub fn finish(mut self, report: &Report) -> std::io::Result<()> {
        self.out.write_all(self.head.as_bytes())?;
        let totals = serde_json::to_string_pretty(&report.totals).expect("totals serialise").replace('\n', "\n  ");
        let backends = serde_json::to_string_pretty(&report.backends).expect("usage serialises").replace('\n', "\n  ");
        let close = if self.articles == 0 { "]" } else { "\n  ]" };
        writeln!(self.out, "{close},\n  \"totals\": {totals},\n  \"backends\": {backends}\n}}")?;
        self.out.flush()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(source: &str, status: Status) -> ArticleReport {
        let mut article = ArticleReport::failed(source, "no article found".into());
        article.status = status;
        article
    }

    #[test]
    fn the_json_report_streams_into_one_document_and_the_summary_names_what_did_not_end_well() {
        let mut report = Report::start("desk", false);
        let mut out = Vec::new();
        let mut json = JsonReport::begin(&mut out, "desk", false);
        for a in [article("b.html", Status::Ok), article("a.html", Status::Failed), article("c.html", Status::Skipped)]
        {
            report.add(&a);
            json.article(&a, str::to_string).unwrap();
        }
        json.finish(&report).unwrap();
        let parsed: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(parsed["articles"].as_array().unwrap().len(), 3);
        assert_eq!(parsed["articles"][1]["source"], "a.html");
        assert_eq!(parsed["totals"]["articles"], 3);
        assert_eq!(parsed["totals"]["failed"], 1);
        assert_eq!(report.unfinished.len(), 2, "only what did not end well is kept");
        let summary = report.summary();
        assert!(summary.contains("  failed  a.html: no article found\n  skipped c.html"), "{summary}");
        let empty: serde_json::Value = {
            let mut out = Vec::new();
            JsonReport::begin(&mut out, "desk", true).finish(&Report::start("desk", true)).unwrap();
            serde_json::from_slice(&out).unwrap()
        };
        assert_eq!(empty["articles"], serde_json::json!([]));
    }
}
