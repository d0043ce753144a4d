//! `newswire state migrate`: a desk's whole history from one store into another (an SQLite file
//! into the PostgreSQL database several workers will share), table by table in key order. Rows
//! the target has already are left as they are, so running it again copies only what is new.

use super::migrations::TABLES;
use super::{open, Location, StoreError};

/// Rows read and written at once.
const CHUNK: usize = 2_000;

/// One value of a row, whatever the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

/// How one table went: rows in the source, and rows the target did not have before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub table: &'static str,
    pub rows: usize,
    pub new: usize,
}

/// Copies every table of `from` into `to` (both migrated to this binary's schema first), every
/// desk's rows as they are: the handles are opened as no desk, which takes up no rows.
pub async fn copy(from: &Location, to: &Location) -> Result<Vec<Copied>, StoreError> {
    let source = open(from, "").await?;
    let target = open(to, "").await?;
    let mut copied = Vec::new();
    for super::migrations::Table { name: table, .. } in TABLES {
        let (mut rows, mut new, mut offset) = (0, 0, 0);
        loop {
            let chunk = source.dump(table, offset, CHUNK).await?;
            if chunk.is_empty() {
                break;
            }
            offset += chunk.len();
            rows += chunk.len();
            new += target.load(table, &chunk).await?;
        }
        copied.push(Copied { table, rows, new });
    }
    Ok(copied)
}

#[async_trait::async_trait]
pub trait Transfer: Send + Sync {
    /// Up to `limit` rows of a table, in key order, from `offset`.
    async fn dump(&self, table: &str, offset: usize, limit: usize) -> Result<Vec<Vec<Cell>>, StoreError>;
    /// Adds the rows the table does not have yet; how many it did not have.
    async fn load(&self, table: &str, rows: &[Vec<Cell>]) -> Result<usize, StoreError>;
}
