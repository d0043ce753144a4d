//! newswire: ingest news articles, detect their language, clean their HTML, translate them and
//! syndicate the copies to partner newsrooms.
//!
//! The data flows through one folder per stage: `ingest` → `clean` → `detect` → `translate` →
//! `syndicate`, wired together by `pipeline` and configured by `config`.

pub mod clean;
pub mod config;
pub mod detect;
pub mod error;
pub mod html;
pub mod ingest;
pub mod languages;
pub mod metrics;
pub mod model;
pub mod outbound;
pub mod pipeline;
pub mod quality;
pub mod review;
pub mod secret;
pub mod serve;
pub mod store;
pub mod style;
pub mod syndicate;
pub mod translate;
