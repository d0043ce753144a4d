//! RSS and Atom feeds: each item's link is fetched as an article; the item's guid and date are kept.

use tokio::sync::mpsc::Sender;

use super::{IngestError, Ingested, Source, WebClient};
use crate::model::FeedItem;

pub struct FeedSource {
    feeds: Vec<String>,
    client: WebClient,
}

impl FeedSource {
    pub fn new(feeds: Vec<String>, client: WebClient) -> Self {
        FeedSource { feeds, client }
    }
}

#[async_trait::async_trait]
impl Source for FeedSource {
    async fn pages(&self, out: &Sender<Ingested>) {
        for feed_url in &self.feeds {
            let items = match self.items(feed_url).await {
                Ok(items) => items,
                Err(err) => {
                    if out.send(Err(err)).await.is_err() {
                        return;
                    }
                    continue;
                }
            };
            for (link, item) in items {
                let page = self.client.fetch_page(&link).await.map(|mut page| {
                    page.feed_item = Some(item);
                    page
                });
                if out.send(page).await.is_err() {
                    return;
                }
            }
        }
    }
}

impl FeedSource {
    async fn items(&self, feed_url: &str) -> Result<Vec<(String, FeedItem)>, IngestError> {
        let fetched = self.client.fetch(feed_url).await?;
        parse_items(feed_url, &fetched.bytes)
    }
}

/// The items of a feed that link to a page.
pub fn parse_items(feed_url: &str, bytes: &[u8]) -> Result<Vec<(String, FeedItem)>, IngestError> {
    let feed = feed_rs::parser::Builder::new()
        .base_uri(Some(feed_url))
        .build()
        .parse(bytes)
        .map_err(|err| IngestError::permanent(feed_url, format!("not a valid RSS or Atom feed: {err}")))?;
    Ok(feed
        .entries
        .into_iter()
        .filter_map(|entry| {
            let link = entry.links.first()?.href.clone();
            let item = FeedItem {
                feed: feed_url.to_string(),
                guid: entry.id,
                title: entry.title.map(|t| t.content),
                published: entry.published.or(entry.updated).map(|d| d.to_rfc3339()),
            };
            Some((link, item))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss_items_and_rejects_junk() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
            <item><title>One</title><link>http://127.0.0.1/one</link><guid>g1</guid>
            <pubDate>Tue, 13 Aug 2024 10:00:00 GMT</pubDate></item></channel></rss>"#;
        let items = parse_items("http://127.0.0.1/feed", rss).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].0, "http://127.0.0.1/one");
        assert_eq!(items[0].1.guid, "g1");
        assert!(items[0].1.published.as_deref().unwrap().starts_with("2024-08-13"));
        let err = parse_items("http://127.0.0.1/feed", b"this is not xml").unwrap_err();
        assert!(err.to_string().contains("not a valid RSS or Atom feed"), "{err}");
    }
}
