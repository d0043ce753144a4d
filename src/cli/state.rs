//! `newswire state migrate`: moves a desk's history (translation memory, delivery log, article
//! versions, kills, partner states) from one store into another, such as an SQLite file into the
//! PostgreSQL database that workers on several machines will share. Safe to run again.

use anyhow::{Context, Result};

use super::ExitStatus;
use newswire::store::{transfer, Location};

pub async fn migrate(from: &str, to: &str) -> Result<ExitStatus> {
    let (from, to) = (Location::parse(from), Location::parse(to));
    if let Location::Sqlite(path) = &from {
        anyhow::ensure!(path.is_file(), "--from {}: no such state file", path.display());
    }
    let copied = transfer::copy(&from, &to).await.with_context(|| format!("migrating {from} to {to}"))?;
    for table in &copied {
        println!("{:<20} {:>9} rows, {:>9} new", table.table, table.rows, table.new);
    }
    let new: usize = copied.iter().map(|t| t.new).sum();
    println!("{from} -> {to}: {new} rows copied");
    Ok(ExitStatus::Success)
}
