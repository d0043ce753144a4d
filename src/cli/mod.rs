//! The command line: clap's types, one file per command, each a thin call into the library that
//! prints what it got. Commands, flags and JSON outputs are a contract: newsroom scripts depend on
//! them. Errors become exit codes here and only here.

mod check;
mod clean;
mod deliver;
mod deliveries;
mod detect;
mod enable;
mod hash_password;
mod kill;
mod recover;
mod redeliver;
mod review;
mod run;
mod serve;
mod state;
mod translate;
mod verify_webhook;
mod work;

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

use newswire::config::{ConfigError, Pipeline};
use newswire::ingest::Limits;
use newswire::secret::redact;

/// The exit code: 0 all done, 1 some items failed (each named in the output), 2 the pipeline,
/// a template or the environment is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success = 0,
    Failures = 1,
    Unusable = 2,
}

impl ExitStatus {
    /// Failures when any item failed.
    pub fn failed_if(any_failed: bool) -> Self {
        if any_failed {
            ExitStatus::Failures
        } else {
            ExitStatus::Success
        }
    }
}

pub async fn dispatch(command: Command) -> Result<ExitStatus> {
    match command {
        Command::Run { pipeline, inputs, json, dry_run, state } => {
            run::run(&pipeline, inputs, json, dry_run, state).await
        }
        Command::Check { pipeline } => check::check(&pipeline).await,
        Command::Detect { files, json, pipeline } => detect::detect(&files, json, pipeline.as_deref()).await,
        Command::Clean { inputs, format, features, extractor } => {
            clean::clean(&inputs, format, features.as_deref(), extractor).await
        }
        Command::Translate { file, to, from, pipeline, format, no_clean } => {
            translate::translate(&file, &to, from, pipeline.as_deref(), format, no_clean).await
        }
        Command::Deliveries { pipeline, partner, state, json } => {
            deliveries::list(&pipeline, partner.as_deref(), state.as_deref(), json).await
        }
        Command::Deliver { pipeline, .. } => deliver::due(&pipeline).await,
        Command::Redeliver { pipeline, delivery_id } => redeliver::redeliver(&pipeline, &delivery_id).await,
        Command::Recover { pipeline, partner, since } => recover::recover(&pipeline, &partner, &since).await,
        Command::Enable { pipeline, partner } => enable::enable(&pipeline, &partner).await,
        Command::Kill { pipeline, article_id } => kill::kill(&pipeline, &article_id).await,
        Command::Work { pipeline, state } => work::work(&pipeline, state).await,
        Command::State { command: StateCommand::Migrate { from, to } } => state::migrate(&from, &to).await,
        Command::Review { command } => review::review(command).await,
        Command::Serve { pipelines, listen } => serve::serve(&pipelines, listen).await,
        Command::HashPassword => hash_password::hash_password(),
        Command::VerifyWebhook { secret, id, timestamp, signature, body } => {
            verify_webhook::verify(&secret, &id, timestamp, &signature, body.as_deref())
        }
    }
}

/// Loads a pipeline, printing its problems; `None` when it is unusable.
fn load_pipeline(path: &Path) -> Option<Pipeline> {
    match Pipeline::load(path) {
        Ok((pipeline, warnings)) => {
            for warning in warnings {
                eprintln!("{}", redact(&warning.to_string()));
            }
            Some(pipeline)
        }
        Err(ConfigError { problems }) => {
            for problem in problems {
                eprintln!("{}", redact(&problem.to_string()));
            }
            None
        }
    }
}

/// Limits for pages named on the command line, outside a desk.
fn default_limits() -> Limits {
    Limits { max_bytes: newswire::config::DEFAULT_MAX_BYTES, timeout: std::time::Duration::from_secs(20) }
}

#[derive(Debug, Parser)]
#[command(
    name = "newswire",
    version,
    about = "Detect, clean, translate and syndicate news articles to partner newsrooms"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the desks' web console (review, deliveries, runs) and the CMS API until SIGTERM.
    Serve {
        #[arg(required = true)]
        pipelines: Vec<PathBuf>,
        /// Address and port to listen on; keep it on loopback behind a reverse proxy.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
    /// Print an Argon2 hash of the password read from standard input, for `[[serve.users]]`.
    HashPassword,
    /// Run a desk's pipeline over its sources (or --input) and deliver the copies.
    Run {
        pipeline: PathBuf,
        /// A file, folder, glob or URL; replaces the pipeline's sources. Repeatable.
        #[arg(long = "input", value_name = "PATH_OR_URL")]
        inputs: Vec<String>,
        /// Print one JSON report on stdout.
        #[arg(long)]
        json: bool,
        /// Do everything except deliver.
        #[arg(long)]
        dry_run: bool,
        /// The state store, an SQLite file or a `postgres://` URL; replaces the pipeline's `state`.
        #[arg(long, value_name = "PATH_OR_URL")]
        state: Option<String>,
    },
    /// Validate a pipeline file, its templates and the backend pairs it needs.
    Check { pipeline: PathBuf },
    /// Detect the language of files.
    Detect {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Consider only this pipeline's languages.
        #[arg(long)]
        pipeline: Option<PathBuf>,
    },
    /// Extract the article from pages or URLs.
    Clean {
        #[arg(required = true, value_name = "FILE_OR_URL")]
        inputs: Vec<String>,
        #[arg(long, value_enum, default_value_t = CleanFormat::Text)]
        format: CleanFormat,
        /// Also write every block of each page with the block scorer's features to this JSON
        /// lines file (its first line names the features), for `scripts/train-extractor`.
        #[arg(long, value_name = "FILE.jsonl")]
        features: Option<std::path::PathBuf>,
        /// How the story is found: the hand-set rules (the desks' way), or the block scorer
        /// learned from annotated pages (`scripts/train-extractor`).
        #[arg(long, value_enum, default_value_t = Extractor::Rules)]
        extractor: Extractor,
    },
    /// Clean and translate one article; prints the translation.
    Translate {
        file: PathBuf,
        #[arg(long, value_name = "LANG")]
        to: String,
        /// The article's language; detected when absent.
        #[arg(long, value_name = "LANG")]
        from: Option<String>,
        /// Use this pipeline's backends.
        #[arg(long)]
        pipeline: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = TranslateFormat::Text)]
        format: TranslateFormat,
        /// Translate the file as given (HTML fragment or plain text), without extracting an article.
        #[arg(long)]
        no_clean: bool,
    },
    /// List the delivery log.
    Deliveries {
        pipeline: PathBuf,
        #[arg(long)]
        partner: Option<String>,
        /// pending, in-progress, delivered, retrying, failed or canceled.
        #[arg(long = "state", value_name = "STATE")]
        state: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Send the retries that are due (for cron).
    Deliver {
        pipeline: PathBuf,
        /// Only what is due now (the only mode).
        #[arg(long, required = true)]
        due: bool,
    },
    /// Send one delivery again, with the same id.
    Redeliver { pipeline: PathBuf, delivery_id: String },
    /// Send again what failed for a partner since a time (RFC 3339, or a duration ago like "6h").
    Recover {
        pipeline: PathBuf,
        #[arg(long)]
        partner: String,
        #[arg(long)]
        since: String,
    },
    /// Withdraw an article: everyone who received it gets a kill (ninjs pubstatus canceled).
    Kill { pipeline: PathBuf, article_id: String },
    /// Re-enable a partner that was disabled.
    Enable { pipeline: PathBuf, partner: String },
    /// The desk's state store.
    State {
        #[command(subcommand)]
        command: StateCommand,
    },
    /// Translations held for an editor: list, export to XLIFF or a page, import edits, approve.
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// Work for a desk until SIGTERM: send what falls due, finish what dead workers left.
    Work {
        pipeline: PathBuf,
        /// The state store, an SQLite file or a `postgres://` URL; replaces the pipeline's `state`.
        #[arg(long, value_name = "PATH_OR_URL")]
        state: Option<String>,
    },
    /// Check a webhook request's Standard Webhooks signature, as a partner would.
    VerifyWebhook {
        /// The partner's secret (whsec_...); or set NEWSWIRE_WEBHOOK_SECRET.
        #[arg(long, env = "NEWSWIRE_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The webhook-id header.
        #[arg(long)]
        id: String,
        /// The webhook-timestamp header.
        #[arg(long)]
        timestamp: i64,
        /// The webhook-signature header.
        #[arg(long)]
        signature: String,
        /// The raw body; standard input when absent.
        #[arg(long)]
        body: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Extractor {
    Rules,
    Learned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CleanFormat {
    Text,
    Html,
    Markdown,
    Json,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TranslateFormat {
    Text,
    Html,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// What waits for an editor: flags, age and the partners waiting.
    List {
        pipeline: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// One file per held article and language, for a CAT tool (XLIFF) or a browser (html).
    Export {
        pipeline: PathBuf,
        #[arg(long, value_enum, default_value_t = ExportFormat::Xliff)]
        format: ExportFormat,
        /// The folder the files go to (made when missing).
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Bring edited XLIFF files back: checked, remembered as human translations, and delivered.
    /// A broken or foreign file is refused whole, and the others still go in.
    Import {
        pipeline: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Who reviewed (disclosed to partners); NEWSWIRE_REVIEWER otherwise.
        #[arg(long, env = "NEWSWIRE_REVIEWER")]
        by: Option<String>,
    },
    /// Release a held translation as it is.
    Approve {
        pipeline: PathBuf,
        /// The article's id (or the review's id).
        article: String,
        #[arg(long)]
        language: Option<String>,
        #[arg(long, env = "NEWSWIRE_REVIEWER")]
        by: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// XLIFF 1.2, which every CAT tool reads.
    Xliff,
    /// XLIFF 2.0.
    Xliff2,
    /// A side-by-side page with the flags shown.
    Html,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// Copy a desk's memory, delivery log, versions, kills and partner states into another store
    /// (an SQLite file into PostgreSQL, say); rows already there are kept. Safe to run again.
    Migrate {
        /// The store to copy: an SQLite file or a `postgres://` URL.
        #[arg(long, value_name = "PATH_OR_URL")]
        from: String,
        /// The store to fill, made or migrated to this newswire's schema first.
        #[arg(long, value_name = "PATH_OR_URL")]
        to: String,
    },
}
