//! Editors in the loop: every translated segment checked for the failures machine translation is
//! known for, copies held for an editor when the desk says so, and the held translations exported
//! to the tools translators use (XLIFF 1.2 and 2.0, or a page) and read back.

pub mod draft;
pub mod flags;
pub mod vocabulary;

pub use draft::{review_id, Draft};
pub mod inline;
pub mod page;
pub mod xliff;
