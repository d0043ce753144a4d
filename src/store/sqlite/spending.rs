//! The SQLite side of the desk's spending: checked and added in one immediate transaction.

use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::store::spending::{within, Charge, Limits, Spending, Spent, DESK};
use crate::store::StoreError;

const PERIODS: &str = "SELECT strftime('day:%Y-%m-%d', 'now'), strftime('month:%Y-%m', 'now')";
const SPENT: &str =
    "SELECT micros FROM spend WHERE desk = newswire_desk() AND backend = ?1 AND period = ?2 AND currency = ?3";
const ADD: &str = "INSERT INTO spend (desk, backend, period, currency, micros)
     VALUES (newswire_desk(), ?1, ?2, ?3, ?4)
     ON CONFLICT (desk, backend, period, currency) DO UPDATE SET micros = micros + excluded.micros";
const SPENT_NOW: &str = "SELECT backend, currency,
        SUM(CASE WHEN period = strftime('day:%Y-%m-%d', 'now') THEN micros ELSE 0 END),
        SUM(CASE WHEN period = strftime('month:%Y-%m', 'now') THEN micros ELSE 0 END)
     FROM spend WHERE desk = newswire_desk()
       AND period IN (strftime('day:%Y-%m-%d', 'now'), strftime('month:%Y-%m', 'now'))
     GROUP BY backend, currency ORDER BY backend, currency";

/// The four rows a charge touches: the backend's and the desk's, today's and this month's.
fn rows<'a>(backend: &'a str, day: &'a str, month: &'a str, limits: &Limits) -> [(&'a str, &'a str, Option<i64>); 4] {
    [
        (DESK, day, limits.desk_daily),
        (DESK, month, limits.desk_monthly),
        (backend, day, limits.backend_daily),
        (backend, month, limits.backend_monthly),
    ]
}

#[async_trait::async_trait]
impl Spending for SqliteStore {
    async fn charge(&self, charge: &Charge<'_>, limits: &Limits) -> Result<bool, StoreError> {
        self.write(|transaction| {
            let (day, month): (String, String) = transaction.query_row(PERIODS, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let rows = rows(charge.backend, &day, &month, limits);
            for (backend, period, limit) in rows {
                let before: i64 = transaction
                    .prepare_cached(SPENT)?
                    .query_row(params![backend, period, charge.currency], |r| r.get(0))
                    .optional()?
                    .unwrap_or(0);
                if !within(before, charge.micros, limit) {
                    return Ok(false);
                }
            }
            let mut add = transaction.prepare_cached(ADD)?;
            for (backend, period, _) in rows {
                add.execute(params![backend, period, charge.currency, charge.micros])?;
            }
            Ok(true)
        })
        .await
    }

    async fn refund(&self, charge: &Charge<'_>) -> Result<(), StoreError> {
        self.write(|transaction| {
            let (day, month): (String, String) = transaction.query_row(PERIODS, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let mut add = transaction.prepare_cached(ADD)?;
            for (backend, period, _) in rows(charge.backend, &day, &month, &Limits::default()) {
                add.execute(params![backend, period, charge.currency, -charge.micros])?;
            }
            Ok(())
        })
        .await
    }

    async fn first_today(&self, notice: &str) -> Result<bool, StoreError> {
        self.write(|transaction| {
            transaction
                .prepare_cached(
                    "INSERT INTO notices (desk, notice, day) VALUES (newswire_desk(), ?1, strftime('%Y-%m-%d', 'now'))
                     ON CONFLICT DO NOTHING",
                )?
                .execute([notice])
                .map(|n| n > 0)
        })
        .await
    }

    async fn spent(&self) -> Result<Vec<Spent>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(SPENT_NOW)?;
            let rows = statement.query_map([], |r| {
                Ok(Spent { backend: r.get(0)?, currency: r.get(1)?, today: r.get(2)?, this_month: r.get(3)? })
            })?;
            rows.collect()
        })
        .await
    }
}
