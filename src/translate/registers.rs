//! The desk's chain once for each register its partners ask for (`formality`): the engines that
//! can keep a register are asked in it and remember apart what they made in it; the others answer
//! as they always do, from the same memory.

use super::{RequestCount, Translator};
use crate::model::Formality;

#[derive(Clone)]
pub struct Registers {
    plain: Translator,
    kept: Vec<(Formality, Translator)>,
}

impl Registers {
    pub fn new(plain: Translator) -> Self {
        Registers { plain, kept: Vec::new() }
    }

    /// Adds the chain asked to keep `formality`.
    pub fn with(mut self, formality: Formality, translator: Translator) -> Self {
        self.kept.push((formality, translator));
        self
    }

    /// The chain for a register; the plain one when none was asked for (or none was made).
    pub fn get(&self, formality: Option<Formality>) -> &Translator {
        formality.and_then(|wanted| self.kept.iter().find(|(f, _)| *f == wanted).map(|(_, t)| t)).unwrap_or(&self.plain)
    }

    /// Requests each backend was sent, over every register.
    pub fn request_counts(&self) -> Vec<(String, RequestCount)> {
        let mut counts: Vec<(String, RequestCount)> = Vec::new();
        let all = std::iter::once(&self.plain).chain(self.kept.iter().map(|(_, t)| t));
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
