//! `newswire check`: every problem of a pipeline file, then whether the desk is usable.

use std::path::Path;

use anyhow::Result;

use super::ExitStatus;
use newswire::config::ReviewMode;
use newswire::pipeline::check;
use newswire::secret::redact;

pub async fn check(path: &Path) -> Result<ExitStatus> {
    let checked = check::check(path).await;
    for problem in &checked.problems {
        println!("{}", redact(&problem.to_string()));
    }
    let Some(pipeline) = &checked.pipeline else {
        let errors = checked.errors();
        println!("{}: not usable ({errors} error{})", path.display(), if errors == 1 { "" } else { "s" });
        return Ok(ExitStatus::Unusable);
    };
    for line in &checked.backends {
        println!("backend {line}");
    }
    for line in &checked.routes {
        println!("translation into {line}");
    }
    for partner in pipeline.partners.iter().filter(|p| p.review.mode != ReviewMode::Never) {
        let flags: Vec<&str> = partner.review.flags.iter().map(|f| f.as_str()).collect();
        let when = match partner.review.mode {
            ReviewMode::Always => "every machine translation".to_string(),
            _ => format!("translations flagged {}", flags.join(", ")),
        };
        println!("review: {} gets {when} only after an editor (newswire review)", partner.name);
    }
    let serve = &pipeline.serve;
    if !serve.tokens.is_empty() || !serve.users.is_empty() {
        let people: Vec<String> = serve.users.iter().map(|u| format!("{} ({})", u.name, u.role.as_str())).collect();
        println!(
            "console: {} API token{}, people: {}, callbacks {}",
            serve.tokens.len(),
            if serve.tokens.len() == 1 { "" } else { "s" },
            if people.is_empty() { "none".to_string() } else { people.join(", ") },
            if serve.callback_secret.is_some() { "signed" } else { "off (no callback_secret)" }
        );
    }
    let partners = pipeline.partners.len();
    println!(
        "{}: usable ({partners} partner{}, languages {}, translation targets {})",
        path.display(),
        if partners == 1 { "" } else { "s" },
        pipeline.detect.languages.join(" "),
        pipeline.target_languages().join(" ")
    );
    Ok(ExitStatus::Success)
}
