//! Integration tests: the real binary against real Apertium, a real SMTP server and real HTTP
//! receivers on 127.0.0.1.

mod backends;
mod bad_input;
mod browser;
mod clean;
mod commands;
mod crash;
mod delivery;
mod detect;
mod pivot;
mod profiles;
mod review;
mod run;
mod security;
mod serve;
mod store;
mod support;
mod syndication;
mod translate;
mod workers;
