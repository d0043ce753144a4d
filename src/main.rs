//! The `newswire` binary: parses the command line, calls the library, and turns outcomes into
//! exit codes (0 all done, 1 some articles failed, 2 config or fatal error). Only here.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use newswire::secret::{redact, Redacting};

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // The console logs every request; the commands only what went wrong.
    let default = match cli.command {
        cli::Command::Serve { .. } => "warn,newswire=info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("NEWSWIRE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let logs = tracing_subscriber::fmt()
        .with_writer(|| Redacting(std::io::stderr()))
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(filter);
    match std::env::var("NEWSWIRE_LOG_FORMAT").as_deref() {
        Ok("json") => logs.json().init(),
        _ => logs.init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(cli::dispatch(cli.command)) {
        Ok(status) => ExitCode::from(status as u8),
        Err(err) => {
            eprintln!("error: {}", redact(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}
