//! `newswire check`: every problem of a desk, not just the first: the file's own (with line and
//! column), its templates, and the language pairs its partners want that no backend translates.

use std::path::Path;

use super::stages;
use crate::config::{ConfigError, Partner, Pipeline, Problem, Severity};
use crate::model::Voice;
use crate::syndicate::templates::Templates;
use crate::translate::{Route, Translator};

pub struct Checked {
    /// The validated desk, when the file has no error.
    pub pipeline: Option<Pipeline>,
    /// Errors and warnings, in the order they were found.
    pub problems: Vec<Problem>,
    /// One line per backend (languages, request limits, billing), in chain order.
    pub backends: Vec<String>,
    /// One line per language partners want: from which article languages it is reached
    /// directly, through a bridge language, or not at all.
    pub routes: Vec<String>,
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.severity == Severity::Error).count()
    }
}

pub async fn check(path: &Path) -> Checked {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => {
            let problem = Problem::at(path, "", None, format!("cannot read the pipeline file: {err}"));
            return Checked { pipeline: None, problems: vec![problem], backends: Vec::new(), routes: Vec::new() };
        }
    };
    let (pipeline, mut problems) = match Pipeline::parse(path, &text) {
        Ok((pipeline, warnings)) => (pipeline, warnings),
        Err(ConfigError { problems }) => {
            return Checked { pipeline: None, problems, backends: Vec::new(), routes: Vec::new() }
        }
    };
    if let Err(err) = Templates::load(pipeline.templates.as_deref()) {
        let place = pipeline.templates.as_ref().map_or("built-in templates".to_string(), |d| d.display().to_string());
        problems.push(problem(&pipeline, (1, 1), Severity::Error, format!("{place}: {err:#}")));
    }
    let translator = stages::translator(&pipeline, None);
    problems.extend(warm_up(&pipeline, &translator).await);
    // A partner with its own chain is served by it, not by the desk's.
    let mut own = std::collections::HashMap::new();
    for partner in pipeline.partners.iter().filter(|p| p.voice.chain.is_some()) {
        let voice = Voice { chain: partner.voice.chain.clone(), ..Voice::default() };
        let chain = Translator::voiced(&pipeline, &voice);
        chain.warm_up().await;
        own.insert(partner.name.clone(), chain);
    }
    let chain_of = |partner: &Partner| own.get(&partner.name).unwrap_or(&translator);
    problems.extend(missing_pairs(&pipeline, &translator, &chain_of));
    problems.extend(missing_dictionaries(&pipeline, &translator));
    problems.extend(unkept_registers(&pipeline, &chain_of));
    let backends = translator.descriptions();
    let routes = routes(&pipeline, &translator);
    let usable = !problems.iter().any(|p| p.severity == Severity::Error);
    Checked { pipeline: usable.then_some(pipeline), problems, backends, routes }
}

fn problem(pipeline: &Pipeline, at: (usize, usize), severity: Severity, message: String) -> Problem {
    Problem { file: pipeline.file.clone(), line: at.0, column: at.1, severity, message }
}

/// A warning for each language the desk translates into that has no Hunspell dictionary: words
/// left untranslated are not found in its copies.
fn missing_dictionaries(pipeline: &Pipeline, translator: &Translator) -> Vec<Problem> {
    let mut targets: Vec<String> = translator.pairs().into_iter().map(|(_, to)| to).collect();
    targets.sort();
    targets.dedup();
    let wanted = pipeline.target_languages();
    targets.retain(|to| wanted.contains(to) && crate::review::vocabulary::find(to).is_none());
    targets
        .into_iter()
        .map(|to| {
            let message = format!(
                "no Hunspell dictionary for {to} (on Debian a hunspell-{to}* package): words left untranslated in {to} copies go unflagged"
            );
            problem(pipeline, (1, 1), Severity::Warning, message)
        })
        .collect()
}

/// Warnings for every (article language, partner language) pair no backend translates; an error
/// when no backend translates anything at all.
async fn warm_up(pipeline: &Pipeline, translator: &Translator) -> Vec<Problem> {
    let unknown = translator.warm_up().await.into_iter();
    unknown.map(|err| problem(pipeline, (1, 1), Severity::Warning, format!("{err}: its pairs are unknown"))).collect()
}

fn missing_pairs<'a>(
    pipeline: &Pipeline,
    translator: &Translator,
    chain_of: &impl Fn(&Partner) -> &'a Translator,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if translator.pairs().is_empty() && !pipeline.target_languages().is_empty() {
        let message = format!(
            "backends {} translate no pair: is Apertium installed? (`make demo` installs it)",
            pipeline.translate_chain.join(", ")
        );
        problems.push(problem(pipeline, (1, 1), Severity::Error, message));
        return problems;
    }
    for partner in &pipeline.partners {
        let translator = chain_of(partner);
        for to in partner.languages.iter().filter(|l| *l != "*") {
            let missing: Vec<&str> = pipeline
                .detect
                .languages
                .iter()
                .filter(|from| *from != to && translator.route(from, to) == Route::None)
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                let message = format!(
                    "partner {:?} wants {to}, but no backend translates {}→{to}, directly or through {}: such articles are skipped for it",
                    partner.name,
                    missing.join(","),
                    bridges(pipeline),
                );
                problems.push(problem(pipeline, partner.languages_at, Severity::Warning, message));
            }
        }
    }
    problems
}

/// A warning for each partner asking for a register (`formality`) that the chain cannot keep
/// for some of its pairs: those copies are made as usual.
fn unkept_registers<'a>(pipeline: &Pipeline, chain_of: &impl Fn(&Partner) -> &'a Translator) -> Vec<Problem> {
    let mut problems = Vec::new();
    for partner in &pipeline.partners {
        let Some(formality) = partner.voice.formality else { continue };
        let translator = chain_of(partner);
        let mut unkept: Vec<String> = Vec::new();
        for to in partner.languages.iter().filter(|l| *l != "*") {
            for from in pipeline.detect.languages.iter().filter(|from| *from != to) {
                if translator.route(from, to) == Route::Direct && !translator.honours_formality(from, to) {
                    unkept.push(format!("{from}→{to}"));
                }
            }
        }
        if !unkept.is_empty() {
            let message = format!(
                "partner {:?} asks for {} copies, but no backend translating {} keeps a register (DeepL and the LLM kinds do): those are made as usual",
                partner.name,
                formality.as_str(),
                unkept.join(", ")
            );
            problems.push(problem(pipeline, partner.languages_at, Severity::Warning, message));
        }
    }
    problems
}

/// The bridge languages, as `check` names them.
fn bridges(pipeline: &Pipeline) -> String {
    match pipeline.pivot.as_slice() {
        [] => "a bridge language (`pivot = []`)".to_string(),
        bridges => format!("a bridge language ({})", bridges.join(", ")),
    }
}

/// For each language partners want: `es: directly from en, fr; through en from uk; not from ru`.
fn routes(pipeline: &Pipeline, translator: &Translator) -> Vec<String> {
    pipeline
        .target_languages()
        .iter()
        .map(|to| {
            let (mut direct, mut none) = (Vec::new(), Vec::new());
            let mut via: Vec<(String, Vec<&str>)> = Vec::new();
            for from in pipeline.detect.languages.iter().filter(|from| *from != to) {
                match translator.route(from, to) {
                    Route::Direct => direct.push(from.as_str()),
                    Route::Via(bridge) => match via.iter_mut().find(|(b, _)| *b == bridge) {
                        Some((_, froms)) => froms.push(from),
                        None => via.push((bridge, vec![from])),
                    },
                    Route::None => none.push(from.as_str()),
                }
            }
            let mut parts = Vec::new();
            if !direct.is_empty() {
                parts.push(format!("directly from {}", direct.join(", ")));
            }
            for (bridge, froms) in via {
                parts.push(format!("through {bridge} from {}", froms.join(", ")));
            }
            if !none.is_empty() {
                parts.push(format!("not at all from {}", none.join(", ")));
            }
            format!("{to}: {}", parts.join("; "))
        })
        .collect()
}
