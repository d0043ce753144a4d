//! `newswire serve`: the desks' web console and CMS API, until SIGTERM or Ctrl-C, after which
//! the articles in flight are finished.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Result;

use super::{load_pipeline, ExitStatus};
use newswire::serve::{self, ServeError, ServeOptions};

pub async fn serve(paths: &[PathBuf], listen: SocketAddr) -> Result<ExitStatus> {
    let mut pipelines = Vec::new();
    for path in paths {
        let Some(pipeline) = load_pipeline(path) else { return Ok(ExitStatus::Unusable) };
        pipelines.push(pipeline);
    }
    match serve::serve(pipelines, ServeOptions { listen }, stopped()).await {
        Ok(()) => Ok(ExitStatus::Success),
        Err(err @ (ServeError::Listen(..) | ServeError::Setup(_))) => {
            eprintln!("error: {err}");
            Ok(ExitStatus::Unusable)
        }
        Err(err) => Err(err.into()),
    }
}

/// Resolves on SIGTERM (a service manager stopping us) or Ctrl-C.
async fn stopped() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}
