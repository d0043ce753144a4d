//! Translate: an article's headline and blocks into a target language through a chain of
//! backends. Each segment (headline, paragraph, list item, caption) travels as HTML so inline
//! markup comes back in place, and every answer is checked before it is used.

pub mod apertium;
mod apertium_apy;
mod azure;
mod budget;
mod checks;
mod coalesce;
mod command;
mod deepl;
mod estimate;
mod google;
mod http;
mod libretranslate;
mod openai;
mod pivot;
mod plan;
mod protect;
mod registers;
pub mod saas;
mod verify;

use std::sync::Arc;

use crate::config::{BackendConfig, BackendKind, ForeignText, Glossary, Pipeline};
use crate::detect::Detector;
use crate::error::ErrorKind;
use crate::model::{Article, Block, BlockKind, Escalation, Formality, Reviewed, Segment, Translation, Voice, HUMAN};
use crate::quality::Flag;
use crate::review::flags::Checker;
use crate::store::{MemoryKey, Store};
use checks::{check_all, check_segments, unusable_findings};
use coalesce::Coalescer;
pub use coalesce::RequestCount;
pub use estimate::Counted;
pub use pivot::Route;
use plan::Plan;
use protect::{Kind, Protected};
pub use registers::Registers;
use saas::{Billing, RequestLimits};
pub use verify::verify;

#[derive(Debug, Clone, thiserror::Error)]
pub enum TranslateError {
    #[error("no backend translates {from}→{to}")]
    Unsupported { from: String, to: String },
    #[error("backend {backend}: {message}")]
    Backend { backend: String, message: String, kind: ErrorKind, status: Option<u16> },
    #[error("backend {backend} gave an unusable answer: {message}")]
    Verification { backend: String, message: String },
    /// Sending would take the backend's or the desk's budget over: it waits for the next period.
    #[error("backend {backend} is over budget: {message}")]
    OverBudget { backend: String, message: String },
}

impl TranslateError {
    /// A backend that timed out or was busy may answer later; a refusal, an unusable answer or a
    /// missing pair will not change by asking again.
    pub fn kind(&self) -> ErrorKind {
        match self {
            TranslateError::Backend { kind, .. } => *kind,
            TranslateError::OverBudget { .. } => ErrorKind::Transient,
            TranslateError::Unsupported { .. } | TranslateError::Verification { .. } => ErrorKind::Permanent,
        }
    }

    pub fn is_transient(&self) -> bool {
        self.kind().is_transient()
    }
}

/// A translation engine. Segments are inline HTML; the answer has one segment per input segment.
#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    fn name(&self) -> &str;
    /// ISO 639-1 pairs this backend translates.
    fn pairs(&self) -> Vec<(String, String)>;
    async fn translate(&self, from: &str, to: &str, segments: &[String]) -> Result<Vec<String>, TranslateError>;

    fn supports(&self, from: &str, to: &str) -> bool {
        self.pairs().iter().any(|(f, t)| f == from && t == to)
    }

    /// How much one request may carry; the stage batches within it.
    fn limits(&self) -> RequestLimits {
        RequestLimits::UNLIMITED
    }

    /// What the backend charges for.
    fn billing(&self) -> Billing {
        Billing::SourceCharacters
    }

    /// One line for people: the backend's languages, request limits and billing.
    fn describe(&self) -> String {
        let limits = self.limits();
        let mut languages: Vec<String> = self.pairs().into_iter().map(|(from, _)| from).collect();
        languages.sort();
        languages.dedup();
        let requests = if limits == RequestLimits::UNLIMITED {
            "requests of any size".to_string()
        } else {
            format!("at most {} segments and {} bytes a request", limits.max_segments, limits.max_bytes)
        };
        format!(
            "{}: {} pairs over {} languages; {requests}; keeps HTML; {}",
            self.name(),
            self.pairs().len(),
            languages.len(),
            self.billing()
        )
    }

    /// Under which name the translation memory keeps its answers: its own, but apart for each
    /// register it was asked to keep.
    fn memory_name(&self) -> &str {
        self.name()
    }

    /// Whether it keeps a partner's register (`formality`) when translating into `to`.
    fn honours_formality(&self, _to: &str) -> bool {
        false
    }

    /// Made by rules written by people (Apertium), not by a trained model: disclosed as such.
    fn rule_based(&self) -> bool {
        false
    }

    /// Work done once before the first article (discovering pairs).
    async fn warm_up(&self) -> Result<(), TranslateError> {
        Ok(())
    }
}

pub fn build_backend(name: &str, config: &BackendConfig, formality: Option<Formality>) -> Arc<dyn Backend> {
    let pairs = |default: Vec<String>| -> Vec<(String, String)> {
        config.pairs.clone().unwrap_or_else(|| saas::pairs_among(config.languages.as_ref().unwrap_or(&default)))
    };
    let http = || http::HttpBackend::new(name, &config.limits);
    match &config.kind {
        BackendKind::Apertium { modes_dir } => {
            Arc::new(apertium::Apertium::new(name, modes_dir.clone(), config.limits.timeout))
        }
        BackendKind::ApertiumApy { url } => {
            Arc::new(apertium_apy::ApertiumApy::new(http(), url.clone(), config.pairs.clone()))
        }
        BackendKind::LibreTranslate { url, api_key } => Arc::new(libretranslate::LibreTranslate::new(
            http(),
            url.clone(),
            api_key.clone(),
            pairs(saas::supported_except(&["be"])),
        )),
        BackendKind::Deepl { url, api_key, formality: configured, glossary_id } => Arc::new(
            deepl::Deepl::new(
                http(),
                url.clone(),
                api_key.clone(),
                configured.clone(),
                glossary_id.clone(),
                pairs(deepl::LANGUAGES.iter().map(|s| s.to_string()).collect()),
            )
            .keeping(name, formality),
        ),
        BackendKind::Google { url, api_key } => {
            Arc::new(google::Google::new(http(), url.clone(), api_key.clone(), pairs(saas::supported_except(&[]))))
        }
        BackendKind::Azure { url, api_key, region } => Arc::new(azure::Azure::new(
            http(),
            url.clone(),
            api_key.clone(),
            region.clone(),
            pairs(saas::supported_except(&[])),
        )),
        BackendKind::OpenAi { url, api_key, model } => Arc::new(
            openai::OpenAi::new(
                http(),
                url.clone(),
                api_key.clone(),
                model.clone(),
                pairs(saas::supported_except(&[])),
            )
            .keeping(name, formality),
        ),
        BackendKind::Command { program } => Arc::new(command::CommandBackend::new(
            name,
            program.clone(),
            config.pairs.clone().unwrap_or_default(),
            config.limits.timeout,
        )),
    }
}

/// The translate stage: the pipeline's backends, tried in order.
#[derive(Clone)]
pub struct Translator {
    backends: Vec<Arc<dyn Backend>>,
    /// Each backend's request slots, shared by every article (same order as `backends`).
    coalescers: Vec<Arc<Coalescer>>,
    foreign_text: ForeignText,
    glossary: Glossary,
    memory: Option<Arc<dyn Store>>,
    /// Tells a target's language, for the `untranslated` check.
    detector: Option<Arc<dyn Detector>>,
    /// Target languages some partner reviews: an answer no backend made usable is kept for them.
    reviewed_languages: Vec<String>,
    /// Flags that send a segment on, alone, to the next backend of the chain.
    escalate: Vec<Flag>,
    /// Bridge languages for pairs no backend serves, in order.
    pivot: Vec<String>,
    /// Prices and budgets: what each request is charged against.
    costs: budget::Costs,
}

/// Segments in the target language, and what they cost.
struct Served {
    segments: Vec<String>,
    backend: String,
    /// Characters sent to the backend (billed).
    chars_sent: usize,
    /// Characters served from the translation memory.
    chars_cached: usize,
}

/// One backend's answer for an article, checked segment by segment.
struct Candidate {
    segments: Vec<Segment>,
    backend: String,
    chars_sent: usize,
    chars_cached: usize,
    rule_based: bool,
    escalations: Vec<Escalation>,
}

impl Translator {
    /// A chain of backends, each with so many requests in flight at most.
    pub fn new(backends: Vec<(Arc<dyn Backend>, usize)>, foreign_text: ForeignText) -> Self {
        let coalescers = backends.iter().map(|(_, concurrency)| Arc::new(Coalescer::new(*concurrency))).collect();
        let backends = backends.into_iter().map(|(backend, _)| backend).collect();
        Translator {
            backends,
            coalescers,
            foreign_text,
            glossary: Glossary::default(),
            memory: None,
            detector: None,
            reviewed_languages: Vec::new(),
            escalate: Vec::new(),
            pivot: Vec::new(),
            costs: budget::Costs::default(),
        }
    }

    /// Pairs no backend serves go through the first of these languages both halves reach.
    pub fn with_pivot(mut self, bridges: Vec<String>) -> Self {
        self.pivot = bridges;
        self
    }

    /// Segments with one of these flags go on, alone, to the next backend of the chain that
    /// serves the pair; each keeps the answer with the fewest of them.
    pub fn with_escalation(mut self, flags: Vec<Flag>) -> Self {
        self.escalate = flags;
        self
    }

    /// Remembers every translation, and serves known segments without asking the backend.
    pub fn with_memory(mut self, memory: Arc<dyn Store>) -> Self {
        self.memory = Some(memory);
        self
    }

    pub fn from_pipeline(pipeline: &Pipeline) -> Self {
        Self::voiced(pipeline, &Voice::default())
    }

    /// The desk's chain, or a partner's own, asked to keep a register and to use a partner's own
    /// glossary over the desk's; the engines that can keep a register (DeepL, the LLM kinds)
    /// remember apart what they made in it.
    pub fn voiced(pipeline: &Pipeline, voice: &Voice) -> Self {
        let backends = voice
            .chain
            .as_deref()
            .unwrap_or(&pipeline.translate_chain)
            .iter()
            .filter_map(|name| {
                let config = pipeline.backends.get(name)?;
                Some((build_backend(name, config, voice.formality), config.limits.concurrency))
            })
            .collect();
        Translator {
            glossary: pipeline.glossary.of_voice(voice, &pipeline.partners),
            reviewed_languages: pipeline.reviewed_languages(),
            escalate: pipeline.escalate.clone(),
            pivot: pipeline.pivot.clone(),
            costs: budget::Costs::of(pipeline),
            ..Translator::new(backends, pipeline.foreign_text)
        }
    }

    /// The detector that checks the language of answers, if any.
    pub fn detector(&self) -> Option<Arc<dyn Detector>> {
        self.detector.clone()
    }

    /// Checks the language of what backends answer with this detector.
    pub fn with_detector(mut self, detector: Arc<dyn Detector>) -> Self {
        self.detector = Some(detector);
        self
    }

    /// The Apertium install, for commands run without a pipeline.
    pub fn apertium_default() -> Self {
        let apertium = apertium::Apertium::new("apertium", None, std::time::Duration::from_secs(60));
        Translator::new(vec![(Arc::new(apertium), 1)], ForeignText::Keep)
    }

    pub fn supports(&self, from: &str, to: &str) -> bool {
        self.backends.iter().any(|b| b.supports(from, to))
    }

    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = self.backends.iter().flat_map(|b| b.pairs()).collect();
        pairs.sort();
        pairs.dedup();
        pairs
    }

    /// Translates the article's headline and body into `to`. A backend that is down, or whose
    /// answer is unusable as it stands (see [`crate::quality::Finding::unusable`]), gives way to the next one in
    /// the chain that serves the pair; every segment is checked and carries its flags. Segments
    /// people wrote or approved before come from the memory as they are. Quotations and paragraphs
    /// marked in another language are kept, or translated from their own language, as the
    /// pipeline says.
    /// A pair no backend serves goes through a bridge language (see [`Translator::route`]).
    pub async fn translate(&self, article: &Article, to: &str) -> Result<Translation, TranslateError> {
        let from = article.language.as_deref().unwrap_or("und");
        match self.route(from, to) {
            Route::Direct => self.translate_directly(article, to).await,
            Route::Via(bridge) => self.translate_via(article, &bridge, to).await,
            Route::None => Err(TranslateError::Unsupported { from: from.to_string(), to: to.to_string() }),
        }
    }

    async fn translate_directly(&self, article: &Article, to: &str) -> Result<Translation, TranslateError> {
        let from = article.language.as_deref().unwrap_or("und");
        let terms = self.glossary.for_pair(from, to);
        let plan = Plan::of(article, from, &terms);
        let human = self.recall(&MemoryKey { backend: HUMAN, from, to }, &plan.originals).await;
        let wanted: Vec<usize> = (0..plan.segments.len()).filter(|&i| human[i].is_none()).collect();
        let checker = Checker::new(from, to, terms, self.detector.clone());
        let replacements = self.foreign_spans(&plan.protected, to).await;
        let by_people = |i: usize| Segment {
            source: plan.originals[i].clone(),
            target: human[i].clone().unwrap_or_default(),
            backend: HUMAN.to_string(),
            flags: Vec::new(),
        };
        if wanted.is_empty() {
            let segments = (0..plan.segments.len()).map(by_people).collect();
            let candidate = Candidate {
                segments,
                backend: HUMAN.to_string(),
                chars_sent: 0,
                chars_cached: 0,
                rule_based: false,
                escalations: Vec::new(),
            };
            return Ok(self.assemble(article, &plan, candidate, to, None).await);
        }
        let to_send: Vec<String> = wanted.iter().map(|&i| plan.segments[i].clone()).collect();
        let mut last_error = TranslateError::Unsupported { from: from.to_string(), to: to.to_string() };
        // The answer with the fewest unusable segments so far, and why it is unusable.
        let mut best: Option<(usize, Candidate, String)> = None;
        let chain = self.backends.iter().zip(&self.coalescers).enumerate();
        for (position, (backend, coalescer)) in chain.filter(|(_, (b, _))| b.supports(from, to)) {
            let served = match self.serve(backend.as_ref(), coalescer, from, to, &to_send).await {
                Ok(served) => served,
                Err(err) => {
                    // Every failure gives way to the next backend; when none is left, a
                    // transient failure is what the report names, since a later run may succeed.
                    tracing::info!(backend = backend.name(), kind = ?err.kind(), error = %err, "trying the next backend");
                    if err.is_transient() || !last_error.is_transient() {
                        last_error = err;
                    }
                    continue;
                }
            };
            let mut answers = wanted.iter().zip(served.segments);
            let mut segments = Vec::with_capacity(plan.segments.len());
            let mut lost_quotation = false;
            for (i, known) in human.iter().enumerate() {
                if known.is_some() {
                    segments.push(by_people(i));
                    continue;
                }
                let (_, answer) = answers.next().expect("one answer per segment sent");
                let Some(target) = protect::restore(&answer, &plan.spans(i, &replacements)) else {
                    lost_quotation = true;
                    break;
                };
                segments.push(Segment {
                    source: plan.originals[i].clone(),
                    target,
                    backend: served.backend.clone(),
                    flags: Vec::new(),
                });
            }
            if lost_quotation {
                last_error = TranslateError::Verification {
                    backend: served.backend,
                    message: "a protected quotation or glossary term went missing".into(),
                };
                continue;
            }
            let segments = check_all(&checker, segments).await;
            let candidate = Candidate {
                segments,
                backend: served.backend,
                chars_sent: served.chars_sent,
                chars_cached: served.chars_cached,
                rule_based: backend.rule_based(),
                escalations: Vec::new(),
            };
            let unusable = unusable_findings(&candidate.segments);
            if unusable.is_empty() {
                let candidate = self.escalate(&plan, candidate, position, &checker, &replacements).await;
                return Ok(self.assemble(article, &plan, candidate, to, None).await);
            }
            let why = unusable
                .iter()
                .map(|f| format!("segment {}: {} ({})", f.segment, f.flag, f.detail))
                .collect::<Vec<_>>()
                .join("; ");
            tracing::info!(backend = %candidate.backend, %why, "unusable answer; trying the next backend");
            last_error = TranslateError::Verification { backend: candidate.backend.clone(), message: why.clone() };
            let count = unusable.len();
            if best.as_ref().is_none_or(|(fewest, _, _)| count < *fewest) {
                best = Some((count, candidate, why));
            }
        }
        match best {
            // An editor can still make something of it: it goes to review, and nowhere else.
            Some((_, candidate, why)) if self.reviewed_languages.iter().any(|l| l == to) => {
                Ok(self.assemble(article, &plan, candidate, to, Some(why)).await)
            }
            _ => Err(last_error),
        }
    }

    /// The translation of an article from its checked segments.
    async fn assemble(
        &self,
        article: &Article,
        plan: &Plan,
        candidate: Candidate,
        to: &str,
        unusable: Option<String>,
    ) -> Translation {
        let segments = candidate.segments;
        let title = crate::html::inline_text(&segments[0].target);
        let mut blocks = Vec::with_capacity(article.blocks.len());
        for (block, segment) in article.blocks.iter().zip(&plan.layout) {
            blocks.push(match segment {
                Some(i) => Block { html: segments[*i].target.clone(), ..block.clone() },
                None => self.foreign_block(block, to).await,
            });
        }
        let reviewed = segments.iter().all(|s| s.backend == HUMAN).then_some(Reviewed { by: None });
        Translation {
            language: to.to_string(),
            backend: Some(candidate.backend),
            title,
            blocks,
            chars_sent: candidate.chars_sent,
            chars_cached: candidate.chars_cached,
            segments,
            layout: plan.layout.clone(),
            unusable,
            reviewed,
            rule_based: candidate.rule_based,
            escalations: candidate.escalations,
            via: None,
            content: Default::default(),
            voice: Voice::default(),
        }
    }

    /// Sends each machine-made segment with an escalating flag, alone, to the backends after
    /// `position` in the chain that serve the pair, one after the other while some stay flagged.
    /// A segment keeps the answer with the fewest escalating flags (the earlier one on a tie,
    /// and never one the checks find unusable).
    async fn escalate(
        &self,
        plan: &Plan,
        mut candidate: Candidate,
        position: usize,
        checker: &Checker,
        replacements: &[String],
    ) -> Candidate {
        if self.escalate.is_empty() {
            return candidate;
        }
        let (from, to) = (checker.from(), checker.to());
        let weight = |s: &Segment| s.flags.iter().filter(|f| self.escalate.contains(&f.flag)).count();
        let later = self.backends.iter().zip(&self.coalescers).skip(position + 1);
        for (backend, coalescer) in later.filter(|(b, _)| b.supports(from, to)) {
            let pending: Vec<usize> = (0..candidate.segments.len())
                .filter(|&i| candidate.segments[i].backend != HUMAN && weight(&candidate.segments[i]) > 0)
                .collect();
            if pending.is_empty() {
                break;
            }
            let to_send: Vec<String> = pending.iter().map(|&i| plan.segments[i].clone()).collect();
            let served = match self.serve(backend.as_ref(), coalescer, from, to, &to_send).await {
                Ok(served) => served,
                Err(err) => {
                    tracing::info!(backend = backend.name(), error = %err, "escalation not answered; trying the next backend");
                    continue;
                }
            };
            let mut answers = Vec::with_capacity(pending.len());
            for (&i, answer) in pending.iter().zip(served.segments) {
                if let Some(target) = protect::restore(&answer, &plan.spans(i, replacements)) {
                    let segment = Segment {
                        source: plan.originals[i].clone(),
                        target,
                        backend: served.backend.clone(),
                        flags: Vec::new(),
                    };
                    answers.push((i, segment));
                }
            }
            let mut kept = 0;
            for (i, answer) in check_segments(checker, answers).await {
                let before = &candidate.segments[i];
                let usable = !answer.flags.iter().any(|f| f.unusable) || before.flags.iter().any(|f| f.unusable);
                if usable && weight(&answer) < weight(before) {
                    candidate.segments[i] = answer;
                    kept += 1;
                }
            }
            // A copy partly made by a trained model is no longer rule-based alone.
            candidate.rule_based &= kept == 0 || backend.rule_based();
            candidate.escalations.push(Escalation {
                backend: served.backend,
                segments: pending.len(),
                chars_sent: served.chars_sent,
                chars_cached: served.chars_cached,
                kept,
            });
        }
        candidate
    }

    /// Asks one backend for segments; those the translation memory knows for it are not sent
    /// again.
    async fn serve(
        &self,
        backend: &dyn Backend,
        coalescer: &Coalescer,
        from: &str,
        to: &str,
        segments: &[String],
    ) -> Result<Served, TranslateError> {
        let key = MemoryKey { backend: backend.memory_name(), from, to };
        let mut out = self.recall(&key, segments).await;
        let missing: Vec<usize> = (0..segments.len()).filter(|&i| out[i].is_none()).collect();
        let chars_cached = segments.iter().zip(&out).filter(|(_, o)| o.is_some()).map(|(s, _)| s.chars().count()).sum();
        let to_send: Vec<String> = missing.iter().map(|&i| segments[i].clone()).collect();
        let chars_sent = to_send.iter().map(|s| s.chars().count()).sum();
        if !to_send.is_empty() {
            let charged = self.charge(backend.name(), chars_sent).await?;
            let translated = match coalescer.translate(backend, from, to, to_send.clone()).await {
                Ok(translated) => translated,
                Err(err) => {
                    if let Some(charged) = charged {
                        self.refund(charged).await;
                    }
                    return Err(err);
                }
            };
            self.remember(&key, &to_send, &translated).await;
            for (i, text) in missing.into_iter().zip(translated) {
                out[i] = Some(text);
            }
        }
        let segments = out.into_iter().map(|o| o.expect("every segment recalled or translated")).collect();
        Ok(Served { segments, backend: backend.name().to_string(), chars_sent, chars_cached })
    }

    /// Sends segments through the first backend of the chain that serves the pair and answers.
    async fn translate_segments(&self, from: &str, to: &str, segments: &[String]) -> Result<Served, TranslateError> {
        let mut last_error = TranslateError::Unsupported { from: from.to_string(), to: to.to_string() };
        for (backend, coalescer) in self.backends.iter().zip(&self.coalescers).filter(|(b, _)| b.supports(from, to)) {
            match self.serve(backend.as_ref(), coalescer, from, to, segments).await {
                Ok(served) => return Ok(served),
                Err(err) => {
                    tracing::info!(backend = backend.name(), kind = ?err.kind(), error = %err, "trying the next backend");
                    if err.is_transient() || !last_error.is_transient() {
                        last_error = err;
                    }
                }
            }
        }
        Err(last_error)
    }

    /// Requests each backend was sent so far, and the fewest that would have done.
    pub fn request_counts(&self) -> Vec<(String, RequestCount)> {
        let counts = self.backends.iter().zip(&self.coalescers);
        counts.map(|(b, c)| (b.name().to_string(), c.count(b.limits()))).filter(|(_, c)| c.requests > 0).collect()
    }

    /// Whether some backend of the chain serving `from`→`to` keeps a register.
    pub fn honours_formality(&self, from: &str, to: &str) -> bool {
        self.backends.iter().any(|b| b.supports(from, to) && b.honours_formality(to))
    }

    /// One line per backend, in chain order, for `check`.
    pub fn descriptions(&self) -> Vec<String> {
        self.backends.iter().map(|b| b.describe()).collect()
    }

    /// Lets every backend prepare (discover its pairs) before the first article.
    pub async fn warm_up(&self) -> Vec<TranslateError> {
        let mut errors = Vec::new();
        for backend in &self.backends {
            if let Err(err) = backend.warm_up().await {
                errors.push(err);
            }
        }
        errors
    }

    async fn recall(&self, key: &MemoryKey<'_>, segments: &[String]) -> Vec<Option<String>> {
        let Some(memory) = &self.memory else { return vec![None; segments.len()] };
        memory.recall(key, segments).await.unwrap_or_else(|err| {
            tracing::warn!(error = %err, "translation memory unavailable; translating everything");
            vec![None; segments.len()]
        })
    }

    async fn remember(&self, key: &MemoryKey<'_>, sources: &[String], targets: &[String]) {
        if let Some(memory) = &self.memory {
            let pairs: Vec<(String, String)> = sources.iter().cloned().zip(targets.iter().cloned()).collect();
            if let Err(err) = memory.remember(key, &pairs).await {
                tracing::warn!(error = %err, "translation memory not updated");
            }
        }
    }

    /// What each protected quotation becomes in the copy.
    async fn foreign_spans(&self, protected: &[Protected], to: &str) -> Vec<String> {
        let lang_of = |p: &Protected| match &p.kind {
            Kind::Foreign { lang } => Some(lang.clone()),
            Kind::Fixed => None,
        };
        let mut out: Vec<String> = protected
            .iter()
            .map(|p| match lang_of(p) {
                Some(lang) => format!("<span lang=\"{lang}\">{}</span>", p.inner),
                None => p.inner.clone(),
            })
            .collect();
        if self.foreign_text != ForeignText::Translate {
            return out;
        }
        let mut langs: Vec<String> = protected.iter().filter_map(lang_of).collect();
        langs.sort();
        langs.dedup();
        for lang in langs.iter().map(String::as_str).filter(|l| *l != to && self.supports(l, to)) {
            let indices: Vec<usize> =
                (0..protected.len()).filter(|&i| lang_of(&protected[i]).as_deref() == Some(lang)).collect();
            let inners: Vec<String> = indices.iter().map(|&i| protected[i].inner.clone()).collect();
            match self.translate_segments(lang, to, &inners).await {
                Ok(served) => {
                    for (i, text) in indices.into_iter().zip(served.segments) {
                        out[i] = text;
                    }
                }
                Err(err) => tracing::warn!(%lang, %to, error = %err, "quotations kept in their own language"),
            }
        }
        out
    }

    /// A block in another language than the article: kept, or translated from its own language.
    async fn foreign_block(&self, block: &Block, to: &str) -> Block {
        let Some(lang) = block.lang.as_deref() else { return block.clone() };
        if block.kind == BlockKind::Image
            || self.foreign_text != ForeignText::Translate
            || lang == to
            || !self.supports(lang, to)
        {
            return block.clone();
        }
        match self.translate_segments(lang, to, std::slice::from_ref(&block.html)).await {
            Ok(mut served) => Block { html: served.segments.remove(0), lang: None, ..block.clone() },
            Err(err) => {
                tracing::warn!(%lang, %to, error = %err, "paragraph kept in its own language");
                block.clone()
            }
        }
    }
}
