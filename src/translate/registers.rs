//! The desk's chain once for each voice its partners ask for: a register (`formality`), whose
//! engines (DeepL, the LLM kinds) are asked to keep it and remember apart what they made in it,
//! a partner's own chain of backends (`backend`), each remembering under its own name, and a
//! partner's own glossary.

use super::{RequestCount, Translator};
use crate::model::Voice;

#[derive(Clone)]
pub struct Registers {
    plain: Translator,
    voiced: Vec<(Voice, Translator)>,
}

impl Registers {
    pub fn new(plain: Translator) -> Self {
        Registers { plain, voiced: Vec::new() }
    }

    /// Adds the chain that speaks in `voice`.
    pub fn with(mut self, voice: Voice, translator: Translator) -> Self {
        self.voiced.push((voice, translator));
        self
    }

    /// The chain for a voice; the plain one for the desk's (or one not made).
    pub fn get(&self, voice: &Voice) -> &Translator {
        self.voiced.iter().find(|(v, _)| v == voice).map_or(&self.plain, |(_, t)| t)
    }

    /// Requests each backend was sent, over every voice.
    pub fn request_counts(&self) -> Vec<(String, RequestCount)> {
        let mut counts: Vec<(String, RequestCount)> = Vec::new();
        let all = std::iter::once(&self.plain).chain(self.voiced.iter().map(|(_, t)| t));
        for (backend, count) in all.flat_map(Translator::request_counts) {
            match counts.iter_mut().find(|(b, _)| *b == backend) {
                Some((_, total)) => {
                    total.requests += count.requests;
                    total.minimum += count.minimum;
                }
                None => counts.push((backend, count)),
            }
        }
        counts
    }
}
