//! The PostgreSQL side of the table-by-table copy `state migrate` reads and writes.

use tokio_postgres::types::ToSql;

use super::PostgresStore;
use crate::store::migrations::{Kind, Table};
use crate::store::transfer::Cell;
use crate::store::{StoreError, Transfer};

#[async_trait::async_trait]
impl Transfer for PostgresStore {
    async fn dump(&self, table: &str, offset: usize, limit: usize) -> Result<Vec<Vec<Cell>>, StoreError> {
        let Table { key, columns, .. } = self.known(table)?;
        let names: Vec<String> = columns
            .iter()
            .map(|(name, kind)| if *kind == Kind::Int { format!("{name}::bigint") } else { name.to_string() })
            .collect();
        let sql = format!("SELECT {} FROM {table} ORDER BY {key} LIMIT $1 OFFSET $2", names.join(", "));
        let (limit, offset) = (limit as i64, offset as i64);
        let rows = self.retrying(|| async { self.query(&sql, &[&limit, &offset]).await }).await?;
        Ok(rows
            .iter()
            .map(|row| {
                columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, kind))| match kind {
                        Kind::Int => row.get::<_, Option<i64>>(i).map_or(Cell::Null, Cell::Int),
                        Kind::Text => row.get::<_, Option<String>>(i).map_or(Cell::Null, Cell::Text),
                        Kind::Blob => row.get::<_, Option<Vec<u8>>>(i).map_or(Cell::Null, Cell::Blob),
                    })
                    .collect()
            })
            .collect())
    }

    async fn load(&self, table: &str, rows: &[Vec<Cell>]) -> Result<usize, StoreError> {
        let Table { columns, .. } = self.known(table)?;
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let slots: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| {
                let cast = match kind {
                    Kind::Int => "bigint",
                    Kind::Text => "text",
                    Kind::Blob => "bytea",
                };
                format!("${}::{cast}", i + 1)
            })
            .collect();
        let sql =
            format!("INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT DO NOTHING", names.join(", "), slots.join(", "));
        self.retrying(|| async {
            let mut client = self.client().await?;
            let transaction = client.transaction().await.map_err(|e| self.error(e))?;
            let statement = transaction.prepare(&sql).await.map_err(|e| self.error(e))?;
            let mut added = 0;
            for row in rows {
                let values: Vec<Box<dyn ToSql + Sync + Send>> = row
                    .iter()
                    .zip(columns.iter())
                    .map(|(cell, (_, kind))| -> Box<dyn ToSql + Sync + Send> {
                        match (cell, kind) {
                            (Cell::Int(n), _) => Box::new(Some(*n)),
                            (Cell::Text(t), _) => Box::new(Some(t.clone())),
                            (Cell::Blob(b), _) => Box::new(Some(b.clone())),
                            (Cell::Null, Kind::Int) => Box::new(None::<i64>),
                            (Cell::Null, Kind::Text) => Box::new(None::<String>),
                            (Cell::Null, Kind::Blob) => Box::new(None::<Vec<u8>>),
                        }
                    })
                    .collect();
                let params: Vec<&(dyn ToSql + Sync)> =
                    values.iter().map(|v| v.as_ref() as &(dyn ToSql + Sync)).collect();
                added += transaction.execute(&statement, &params).await.map_err(|e| self.error(e))? as usize;
            }
            transaction.commit().await.map_err(|e| self.error(e))?;
            Ok(added)
        })
        .await
    }
}
