//! The directory channel: one HTML file per article and language, for archives and shared folders.

use std::path::PathBuf;
use std::sync::Arc;

use super::templates::Templates;
use super::{Channel, DeliveryError, PartnerCopy};

pub struct DirectoryChannel {
    root: PathBuf,
    templates: Arc<Templates>,
}

impl DirectoryChannel {
    pub fn new(root: PathBuf, templates: Arc<Templates>) -> Self {
        DirectoryChannel { root, templates }
    }

    /// `<root>/<language>/<slug>.html`, the slug made from the article id.
    pub fn path_for(&self, copy: &PartnerCopy) -> PathBuf {
        self.root.join(&copy.language).join(format!("{}.html", slug(&copy.article.id)))
    }
}

#[async_trait::async_trait]
impl Channel for DirectoryChannel {
    async fn deliver(&self, copy: &PartnerCopy) -> Result<(), DeliveryError> {
        let page = self
            .templates
            .render("directory/article.html.j2", copy)
            .map_err(|err| DeliveryError::permanent(format!("template: {err}")))?;
        let path = self.path_for(copy);
        let dir = path.parent().expect("a file inside the root");
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|err| DeliveryError::permanent(format!("cannot create {}: {err}", dir.display())))?;
        // Write then rename, so a reader never sees half a file.
        let partial = path.with_extension("html.partial");
        tokio::fs::write(&partial, page)
            .await
            .map_err(|err| DeliveryError::permanent(format!("cannot write {}: {err}", partial.display())))?;
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(|err| DeliveryError::permanent(format!("cannot write {}: {err}", path.display())))
    }
}

/// A file name from an article id: the last meaningful path part, plus a short hash for uniqueness.
pub fn slug(id: &str) -> String {
    let readable: String = id
        .trim_end_matches('/')
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim_end_matches(".html")
        .trim_end_matches(".htm")
        .trim_end_matches(".txt")
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .take(60)
        .collect();
    let readable = readable.trim_matches('-');
    let hash = crate::model::hex(&<sha2::Sha256 as sha2::Digest>::digest(id.as_bytes())[..4]);
    if readable.is_empty() {
        hash
    } else {
        format!("{readable}-{hash}")
    }
}
