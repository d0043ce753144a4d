//! The SQLite side of the table-by-table copy `state migrate` reads and writes.

use rusqlite::params;
use rusqlite::types::{Value, ValueRef};

use super::SqliteStore;
use crate::store::migrations::Table;
use crate::store::transfer::Cell;
use crate::store::{StoreError, Transfer};

#[async_trait::async_trait]
impl Transfer for SqliteStore {
    async fn dump(&self, table: &str, offset: usize, limit: usize) -> Result<Vec<Vec<Cell>>, StoreError> {
        let Table { key, columns, .. } = self.known(table)?;
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let sql = format!("SELECT {} FROM {table} ORDER BY {key} LIMIT ?1 OFFSET ?2", names.join(", "));
        self.read(|connection| {
            let mut statement = connection.prepare(&sql)?;
            let rows = statement.query_map(params![limit as i64, offset as i64], |row| {
                (0..columns.len())
                    .map(|i| {
                        Ok(match row.get_ref(i)? {
                            ValueRef::Null => Cell::Null,
                            ValueRef::Integer(n) => Cell::Int(n),
                            ValueRef::Real(x) => Cell::Int(x as i64),
                            ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                            ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
                        })
                    })
                    .collect()
            })?;
            rows.collect()
        })
        .await
    }

    async fn load(&self, table: &str, rows: &[Vec<Cell>]) -> Result<usize, StoreError> {
        let Table { columns, .. } = self.known(table)?;
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let slots: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let sql =
            format!("INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT DO NOTHING", names.join(", "), slots.join(", "));
        self.write(|transaction| {
            let mut statement = transaction.prepare(&sql)?;
            let mut added = 0;
            for row in rows {
                let values = row.iter().map(|cell| match cell {
                    Cell::Null => Value::Null,
                    Cell::Int(n) => Value::Integer(*n),
                    Cell::Text(t) => Value::Text(t.clone()),
                    Cell::Blob(b) => Value::Blob(b.clone()),
                });
                added += statement.execute(rusqlite::params_from_iter(values))?;
            }
            Ok(added)
        })
        .await
    }
}
