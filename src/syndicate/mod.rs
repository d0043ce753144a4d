//! Syndicate: copies to partners, one delivery per article, language and partner, through the
//! partner's channel (email, webhook or directory).

mod breaker;
mod copy;
pub mod deliver;
pub mod directory;
pub mod email;
pub mod ninjs;
pub mod notices;
pub mod sign;
pub mod templates;
pub mod webhook;

use std::sync::Arc;

use crate::config::{ChannelConfig, Partner, Pipeline};
pub use breaker::Breaker;
pub use copy::{partner_languages, Event, PartnerCopy};

use crate::error::ErrorKind;

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    pub message: String,
    /// Transient (a timeout, a 5xx or 429, an SMTP 4xx) is retried on the desk's schedule.
    pub kind: ErrorKind,
    /// How long the partner asked us to wait (Retry-After).
    pub retry_after: Option<std::time::Duration>,
    /// The partner said the endpoint is gone for good (HTTP 410): stop sending to it.
    pub gone: bool,
    /// The partner did not answer at all: a timeout or a connection that failed.
    pub unanswered: bool,
    /// The status code or SMTP reply, for the attempt log.
    pub status: Option<String>,
    /// Recipients served before the failure (email): a retry skips them.
    pub delivered_to: Vec<String>,
}

/// Who got a copy, and who refused it for good (email recipients answering 5xx).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Receipt {
    pub delivered_to: Vec<String>,
    pub refused: Vec<String>,
    /// The partner's answer: an HTTP status or an SMTP reply code.
    pub status: Option<String>,
}

impl DeliveryError {
    pub fn transient(message: impl Into<String>) -> Self {
        DeliveryError {
            message: message.into(),
            kind: ErrorKind::Transient,
            retry_after: None,
            gone: false,
            unanswered: false,
            status: None,
            delivered_to: Vec::new(),
        }
    }

    /// The partner did not answer: transient, and counted by the partner's breaker.
    pub fn unanswered(message: impl Into<String>) -> Self {
        DeliveryError { unanswered: true, ..DeliveryError::transient(message) }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        DeliveryError {
            message: message.into(),
            kind: ErrorKind::Permanent,
            retry_after: None,
            gone: false,
            unanswered: false,
            status: None,
            delivered_to: Vec::new(),
        }
    }
}

/// A partner and the channel that reaches it.
pub type PartnerChannel = (Partner, Arc<dyn Channel>);

#[async_trait::async_trait]
pub trait Channel: Send + Sync {
    async fn deliver(&self, copy: &PartnerCopy) -> Result<(), DeliveryError>;

    /// Delivers to the recipients not in `done` (email has several; other channels one).
    async fn deliver_to(&self, copy: &PartnerCopy, done: &[String]) -> Result<Receipt, DeliveryError> {
        let _ = done;
        self.deliver(copy).await.map(|()| Receipt::default())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("templates: {0}")]
    Template(#[from] templates::TemplateError),
    #[error("email: {0}")]
    Email(String),
}

/// Builds each partner's channel; a partner with its own templates gets them over the desk's.
pub fn channels(pipeline: &Pipeline, templates: Arc<templates::Templates>) -> Result<Vec<PartnerChannel>, SetupError> {
    let mut mailer = None;
    let mut out = Vec::new();
    for partner in &pipeline.partners {
        let templates = match &partner.templates {
            Some(dir) => {
                Arc::new(templates::Templates::load_layers(&[Some(dir.as_path()), pipeline.templates.as_deref()])?)
            }
            None => templates.clone(),
        };
        let channel: Arc<dyn Channel> = match &partner.channel {
            ChannelConfig::Email { to } => {
                let email = pipeline.email.as_ref().ok_or_else(|| SetupError::Email("no [email] table".into()))?;
                if mailer.is_none() {
                    mailer = Some(email::Mailer::new(email).map_err(SetupError::Email)?);
                }
                let mailer = mailer.clone().expect("mailer just built");
                Arc::new(email::EmailChannel::new(mailer, to.clone(), templates, partner.timeout))
            }
            ChannelConfig::Webhook { url, secrets, format } => Arc::new(
                webhook::WebhookChannel::new(url.clone(), secrets, *format, partner.timeout)
                    .map_err(SetupError::Email)?,
            ),
            ChannelConfig::Directory { path } => Arc::new(directory::DirectoryChannel::new(path.clone(), templates)),
        };
        out.push((partner.clone(), channel));
    }
    Ok(out)
}
