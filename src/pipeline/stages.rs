//! The stages of a desk, built from its validated pipeline file: the one place that picks the
//! cleaner, the detector, the store, the backends and the channels. Commands that need only some
//! of them (the delivery-log commands need no detector) build only those.

use std::sync::Arc;

use super::RunError;
use crate::clean::{ArticleCleaner, Cleaner};
use crate::config::Pipeline;
use crate::detect::{Detector, LinguaDetector};
use crate::model::Voice;
use crate::store::{self, Location, Store};
use crate::syndicate::deliver::Deliverer;
use crate::syndicate::templates::Templates;
use crate::syndicate::{self, PartnerChannel};
use crate::translate::{Registers, Translator};

pub fn cleaner() -> Arc<dyn Cleaner> {
    Arc::new(ArticleCleaner)
}

/// A detector over the desk's languages and their look-alikes, with its models loaded (a CPU-bound
/// second or so, run off the async threads).
pub async fn detector(languages: Vec<String>) -> Arc<dyn Detector> {
    let detector = tokio::task::spawn_blocking(move || LinguaDetector::new(&languages)).await;
    Arc::new(detector.expect("loading the language models does not panic"))
}

/// A detector over the desk's languages and every target language, for the check that a
/// translation is in the language it should be in.
pub async fn target_detector(pipeline: &Pipeline) -> Arc<dyn Detector> {
    let mut languages = pipeline.detect.languages.clone();
    languages.extend(pipeline.target_languages());
    languages.sort();
    languages.dedup();
    detector(languages).await
}

/// The desk's state store, or the one `--state` names instead.
pub async fn store(pipeline: &Pipeline, state: Option<&Location>) -> Result<Arc<dyn Store>, RunError> {
    Ok(store::open(state.unwrap_or(&pipeline.state), &pipeline.name).await?)
}

/// The desk's backend chain, remembering through the store's translation memory when given one.
pub fn translator(pipeline: &Pipeline, memory: Option<Arc<dyn Store>>) -> Translator {
    let translator = Translator::from_pipeline(pipeline);
    match memory {
        Some(store) => translator.with_memory(store),
        None => translator,
    }
}

/// The desk's chain, and one for each voice its partners ask for (a register, their own chain),
/// all remembering through the store; `translator` is the desk's own, warmed up already.
pub async fn registers(pipeline: &Pipeline, store: &Arc<dyn Store>, translator: Translator) -> Registers {
    let mut voices: Vec<Voice> = pipeline.targets().into_iter().map(|t| t.voice).filter(|v| !v.is_desks()).collect();
    voices.sort();
    voices.dedup();
    let mut registers = Registers::new(translator.clone());
    for voice in voices {
        let voiced = Translator::voiced(pipeline, &voice).with_memory(store.clone());
        let voiced = match translator.detector() {
            Some(detector) => voiced.with_detector(detector),
            None => voiced,
        };
        voiced.warm_up().await;
        registers = registers.with(voice, voiced);
    }
    registers
}

/// Each partner's channel, and the deliverer that logs every attempt and tells the staff when a
/// partner is disabled.
pub fn delivery(pipeline: &Pipeline, store: Arc<dyn Store>) -> Result<(Vec<PartnerChannel>, Deliverer), RunError> {
    let templates = Arc::new(Templates::load(pipeline.templates.as_deref())?);
    let channels = syndicate::channels(pipeline, templates)?;
    let deliverer = Deliverer::new(&pipeline.name, store, pipeline.delivery.clone());
    let deliverer = match (&pipeline.delivery.staff_email, &pipeline.email) {
        (Some(staff), Some(email)) => {
            let mailer = syndicate::email::Mailer::new(email).map_err(syndicate::SetupError::Email)?;
            deliverer.with_alerts(mailer, staff.clone())
        }
        _ => deliverer,
    };
    Ok((channels, deliverer))
}
