//! The email channel: a multipart text+HTML message over SMTP (STARTTLS when offered, SMTPS,
//! AUTH from the URL), or `.eml` files for `file://` URLs. Each send has an overall timeout:
//! lettre's own covers only the connect.

use std::sync::Arc;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm, DkimSigningKey,
};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::templates::Templates;
use super::{Channel, DeliveryError, PartnerCopy, Receipt};
use crate::config::EmailConfig;

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    dkim: Option<Arc<DkimConfig>>,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

impl Mailer {
    pub fn new(config: &EmailConfig) -> Result<Self, String> {
        let raw = config.smtp_url.expose();
        let url = url::Url::parse(raw).map_err(|err| format!("smtp_url: {err}"))?;
        let transport = match url.scheme() {
            "file" => {
                // file://DIR, relative to the working directory, or file:///absolute/dir
                let dir = std::path::PathBuf::from(&raw["file://".len()..]);
                std::fs::create_dir_all(&dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
                Transport::File(AsyncFileTransport::new(dir))
            }
            scheme @ ("smtp" | "smtps") => {
                let host = url.host_str().ok_or("smtp_url has no host")?.to_string();
                let mut params = TlsParameters::builder(host.clone());
                if let Some(ca) = &config.tls_ca {
                    let pem = std::fs::read(ca).map_err(|err| format!("tls_ca {}: {err}", ca.display()))?;
                    let certificate =
                        Certificate::from_pem(&pem).map_err(|err| format!("tls_ca {}: {err}", ca.display()))?;
                    params = params.add_root_certificate(certificate);
                }
                let params = params.build().map_err(|err| format!("TLS: {err}"))?;
                let tls_mode = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.to_string());
                let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "::1" | "[::1]");
                let (tls, default_port) = match (scheme, tls_mode.as_deref()) {
                    ("smtps", _) => (Tls::Wrapper(params), 465),
                    (_, Some("none")) => (Tls::None, 25),
                    (_, Some("opportunistic")) => (Tls::Opportunistic(params), 25),
                    (_, Some("required")) => (Tls::Required(params), 587),
                    (_, Some(other)) => {
                        return Err(format!("smtp_url: tls={other} is not required, opportunistic or none"))
                    }
                    // A relay on this machine may speak plain SMTP; anywhere else TLS is required.
                    _ if loopback => (Tls::Opportunistic(params), 25),
                    _ => (Tls::Required(params), 587),
                };
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(url.port().unwrap_or(default_port))
                    .tls(tls)
                    .timeout(Some(config.timeout));
                if !url.username().is_empty() {
                    let decode = |s: &str| percent_decode(s);
                    builder = builder
                        .credentials(Credentials::new(decode(url.username()), decode(url.password().unwrap_or(""))));
                }
                Transport::Smtp(builder.build())
            }
            other => return Err(format!("smtp_url: unsupported scheme {other}://")),
        };
        let dkim = match &config.dkim {
            Some(d) => {
                let key = DkimSigningKey::new(d.key.expose(), DkimSigningAlgorithm::Rsa)
                    .map_err(|err| format!("dkim_key: not an RSA PKCS#1 PEM key ({err})"))?;
                // Relaxed headers: a relay that refolds a long Subject must not break the signature.
                let canonicalization = DkimCanonicalization {
                    header: DkimCanonicalizationType::Relaxed,
                    body: DkimCanonicalizationType::Relaxed,
                };
                let headers = ["From", "Subject", "To", "Date", "Message-ID"]
                    .into_iter()
                    .map(HeaderName::new_from_ascii_str)
                    .collect();
                Some(Arc::new(DkimConfig::new(d.selector.clone(), d.domain.clone(), key, headers, canonicalization)))
            }
            None => None,
        };
        Ok(Mailer { transport, from: config.from.clone(), dkim })
    }
}

impl Mailer {
    /// A plain-text message to the desk's staff (a partner was disabled).
    pub async fn send_text(
        &self,
        to: &Mailbox,
        subject: &str,
        body: String,
        timeout: Duration,
    ) -> Result<(), DeliveryError> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.clone())
            .subject(subject)
            .body(body)
            .map_err(|err| DeliveryError::permanent(format!("cannot build the message: {err}")))?;
        match &self.transport {
            Transport::File(file) => {
                file.send(message).await.map(|_| ()).map_err(|err| DeliveryError::permanent(err.to_string()))
            }
            Transport::Smtp(smtp) => match tokio::time::timeout(timeout, smtp.send(message)).await {
                Err(_) => Err(DeliveryError::unanswered("the SMTP server did not finish in time")),
                Ok(result) => result.map(|_| ()).map_err(|err| classify(&err)),
            },
        }
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

pub struct EmailChannel {
    mailer: Mailer,
    to: Vec<Mailbox>,
    templates: Arc<Templates>,
    timeout: Duration,
}

impl EmailChannel {
    pub fn new(mailer: Mailer, to: Vec<Mailbox>, templates: Arc<Templates>, timeout: Duration) -> Self {
        EmailChannel { mailer, to, templates, timeout }
    }

    pub fn message(&self, copy: &PartnerCopy) -> Result<Message, DeliveryError> {
        let render = |name: &str| {
            self.templates.render(name, copy).map_err(|err| DeliveryError::permanent(format!("template {name}: {err}")))
        };
        let subject = render("email/subject.j2")?.lines().map(str::trim).collect::<Vec<_>>().join(" ");
        let text = render("email/text.j2")?;
        let html = render("email/html.j2")?;
        let mut builder = Message::builder()
            .from(self.mailer.from.clone())
            .subject(subject.trim())
            .message_id(Some(format!("<{}@newswire>", copy.delivery_id)))
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Content-Language"), copy.language.clone()))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("X-Newswire-Delivery-Id"),
                copy.delivery_id.clone(),
            ));
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        let mut message = builder
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|err| DeliveryError::permanent(format!("cannot build the message: {err}")))?;
        if let Some(dkim) = &self.mailer.dkim {
            message.sign(dkim);
        }
        Ok(message)
    }
}

#[async_trait::async_trait]
impl Channel for EmailChannel {
    async fn deliver(&self, copy: &PartnerCopy) -> Result<(), DeliveryError> {
        self.deliver_to(copy, &[]).await.map(|_| ())
    }

    /// One SMTP transaction per recipient, so a recipient the server refuses (5xx) fails alone,
    /// and a retry after a 4xx goes only to those who have not got the message yet.
    async fn deliver_to(&self, copy: &PartnerCopy, done: &[String]) -> Result<Receipt, DeliveryError> {
        let message = self.message(copy)?;
        let bytes = message.formatted();
        let mut receipt = Receipt::default();
        let mut transient: Option<DeliveryError> = None;
        for recipient in self.to.iter().filter(|r| !done.contains(&r.email.to_string())) {
            let address = recipient.email.to_string();
            let envelope = Envelope::new(Some(self.mailer.from.email.clone()), vec![recipient.email.clone()])
                .map_err(|err| DeliveryError::permanent(format!("bad envelope for {address}: {err}")))?;
            let sent = match &self.mailer.transport {
                Transport::File(file) => file
                    .send_raw(&envelope, &bytes)
                    .await
                    .map(|_| None)
                    .map_err(|err| DeliveryError::permanent(format!("cannot write the message: {err}"))),
                Transport::Smtp(smtp) => {
                    match tokio::time::timeout(self.timeout, smtp.send_raw(&envelope, &bytes)).await {
                        Err(_) => Err(DeliveryError::unanswered(format!(
                            "the SMTP server did not finish within {:?}",
                            self.timeout
                        ))),
                        Ok(Ok(reply)) => Ok(Some(reply.code().to_string())),
                        Ok(Err(err)) => Err(classify(&err)),
                    }
                }
            };
            match sent {
                Ok(reply) => {
                    receipt.delivered_to.push(address);
                    receipt.status = reply.or(receipt.status);
                }
                Err(err) if err.kind.is_transient() => {
                    transient.get_or_insert(err);
                }
                // A recipient the server refuses; a configuration problem stops everything.
                Err(err) if err.status.as_deref().is_some_and(|s| s.starts_with('5')) => {
                    receipt.refused.push(format!("{address}: {}", err.message));
                }
                Err(mut err) => {
                    err.delivered_to = receipt.delivered_to;
                    return Err(err);
                }
            }
        }
        if let Some(mut err) = transient {
            err.delivered_to = receipt.delivered_to;
            return Err(err);
        }
        if receipt.delivered_to.is_empty() && done.is_empty() && !receipt.refused.is_empty() {
            let mut err =
                DeliveryError::permanent(format!("every recipient was refused: {}", receipt.refused.join("; ")));
            err.status = Some("550".into());
            return Err(err);
        }
        Ok(receipt)
    }
}

/// SMTP 4xx, timeouts and dropped connections are worth retrying; 5xx, TLS and AUTH problems are not.
fn classify(err: &lettre::transport::smtp::Error) -> DeliveryError {
    let text = err.to_string();
    // lettre reports a refused certificate as a connection error; it is a configuration problem.
    let tls = err.is_tls() || text.contains("certificate") || text.contains("handshake");
    let mut error = if tls {
        DeliveryError::permanent(format!(
            "SMTP: TLS with the server failed, a configuration problem (not retried): {text}"
        ))
    } else if text.contains("authentication mechanism") {
        DeliveryError::permanent(format!(
            "SMTP: the server offers no way to log in over this connection (TLS needed?), not retried: {text}"
        ))
    } else if err.is_permanent() || err.is_client() {
        DeliveryError::permanent(format!("SMTP: {text}"))
    } else if err.status().is_none() {
        // No reply code: the connection failed or dropped.
        DeliveryError::unanswered(format!("SMTP: {text}"))
    } else {
        DeliveryError::transient(format!("SMTP: {text}"))
    };
    error.status = err.status().map(|code| code.to_string());
    error
}
