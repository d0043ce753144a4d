//! Pages on disk: files, folders (recursive) and globs.

use std::path::{Path, PathBuf};

use tokio::sync::mpsc::Sender;

use super::{megabytes, page_from_bytes, IngestError, Ingested, Source};

const EXTENSIONS: &[&str] = &["html", "htm", "xhtml", "txt"];

pub struct FileSource {
    inputs: Vec<String>,
    max_bytes: u64,
}

impl FileSource {
    pub fn new(inputs: Vec<String>, max_bytes: u64) -> Self {
        FileSource { inputs, max_bytes }
    }
}

#[async_trait::async_trait]
impl Source for FileSource {
    async fn pages(&self, out: &Sender<Ingested>) {
        for input in &self.inputs {
            for file in expand(input) {
                let page = match file {
                    Ok(path) => read_page(&path, self.max_bytes).await,
                    Err(err) => Err(err),
                };
                if out.send(page).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// The files an input names, in a stable order.
fn expand(input: &str) -> Vec<Result<PathBuf, IngestError>> {
    let path = Path::new(input);
    if input.contains(['*', '?', '[']) && !path.exists() {
        return match glob::glob(input) {
            Ok(paths) => {
                let mut found: Vec<PathBuf> = paths.filter_map(Result::ok).filter(|p| p.is_file()).collect();
                found.sort();
                if found.is_empty() {
                    vec![Err(IngestError::permanent(input, "the pattern matches no file"))]
                } else {
                    found.into_iter().map(Ok).collect()
                }
            }
            Err(err) => vec![Err(IngestError::permanent(input, format!("bad glob pattern: {err}")))],
        };
    }
    if path.is_dir() {
        let mut found = Vec::new();
        let mut folders = vec![path.to_path_buf()];
        while let Some(folder) = folders.pop() {
            let entries = match std::fs::read_dir(&folder) {
                Ok(entries) => entries,
                Err(err) => {
                    found.push(Err(IngestError::permanent(folder.display().to_string(), err.to_string())));
                    continue;
                }
            };
            for entry in entries.flatten() {
                let p = entry.path();
                if p.is_dir() {
                    folders.push(p);
                } else if has_page_extension(&p) {
                    found.push(Ok(p));
                }
            }
        }
        found.sort_by(|a, b| match (a, b) {
            (Ok(a), Ok(b)) => a.cmp(b),
            _ => std::cmp::Ordering::Equal,
        });
        return found;
    }
    if path.exists() {
        return vec![Ok(path.to_path_buf())];
    }
    vec![Err(IngestError::permanent(input, "no such file or folder"))]
}

fn has_page_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

pub(super) async fn read_page(path: &Path, max_bytes: u64) -> Ingested {
    let source = path.display().to_string();
    let size = tokio::fs::metadata(path).await.map_err(|err| IngestError::permanent(&source, err.to_string()))?.len();
    if size > max_bytes {
        return Err(IngestError::permanent(
            &source,
            format!("the page is {}, over the {} limit (source.max_bytes)", megabytes(size), megabytes(max_bytes)),
        ));
    }
    let bytes = tokio::fs::read(path).await.map_err(|err| IngestError::permanent(&source, err.to_string()))?;
    let is_text = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt"));
    let content_type = Some(if is_text { "text/plain" } else { "text/html" }.to_string());
    page_from_bytes(&source, &bytes, content_type, None)
}
