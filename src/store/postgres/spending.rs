//! The PostgreSQL side of the desk's spending: the rows a charge touches are locked in one order
//! (the desk's before the backend's), checked and added in one short transaction.

use super::PostgresStore;
use crate::store::spending::{within, Charge, Limits, Spending, Spent, DESK};
use crate::store::StoreError;

const PERIODS: &str = "SELECT to_char(now() AT TIME ZONE 'UTC', '\"day:\"YYYY-MM-DD'),
        to_char(now() AT TIME ZONE 'UTC', '\"month:\"YYYY-MM')";
const ENSURE: &str = "INSERT INTO spend (desk, backend, period, currency)
     SELECT newswire_desk(), b, p, $3 FROM unnest($1::text[], $2::text[]) AS row (b, p)
     ON CONFLICT (desk, backend, period, currency) DO NOTHING";
const LOCK: &str = "SELECT backend, period, micros FROM spend
     WHERE desk = newswire_desk() AND currency = $3 AND backend = ANY($1) AND period = ANY($2)
     ORDER BY backend, period FOR UPDATE";
const ADD: &str = "UPDATE spend SET micros = micros + $4
     WHERE desk = newswire_desk() AND currency = $3 AND backend = ANY($1) AND period = ANY($2)";
const SPENT_NOW: &str = "WITH now AS (SELECT to_char(now() AT TIME ZONE 'UTC', '\"day:\"YYYY-MM-DD') AS day,
                    to_char(now() AT TIME ZONE 'UTC', '\"month:\"YYYY-MM') AS month)
     SELECT backend, currency,
        SUM(CASE WHEN period = now.day THEN micros ELSE 0 END)::bigint,
        SUM(CASE WHEN period = now.month THEN micros ELSE 0 END)::bigint
     FROM spend, now WHERE desk = newswire_desk() AND period IN (now.day, now.month)
     GROUP BY backend, currency ORDER BY backend, currency";

impl PostgresStore {
    /// Adds `micros` to the charge's four rows, if within `limits` (always, for none).
    async fn add(&self, charge: &Charge<'_>, micros: i64, limits: &Limits) -> Result<bool, StoreError> {
        self.retrying(|| async {
            let mut client = self.client().await?;
            let transaction = client.transaction().await.map_err(|e| self.error(e))?;
            let periods = transaction.query_one(PERIODS, &[]).await.map_err(|e| self.error(e))?;
            let (day, month): (String, String) = (periods.get(0), periods.get(1));
            let backends = vec![DESK, DESK, charge.backend, charge.backend];
            let rows = vec![day.as_str(), month.as_str(), day.as_str(), month.as_str()];
            transaction.execute(ENSURE, &[&backends, &rows, &charge.currency]).await.map_err(|e| self.error(e))?;
            let kinds = vec![DESK, charge.backend];
            let periods = vec![day.as_str(), month.as_str()];
            let locked =
                transaction.query(LOCK, &[&kinds, &periods, &charge.currency]).await.map_err(|e| self.error(e))?;
            let limit = |backend: &str, period: &str| match (backend == DESK, period == day) {
                (true, true) => limits.desk_daily,
                (true, false) => limits.desk_monthly,
                (false, true) => limits.backend_daily,
                (false, false) => limits.backend_monthly,
            };
            for row in &locked {
                let (backend, period, before): (String, String, i64) = (row.get(0), row.get(1), row.get(2));
                if !within(before, micros, limit(&backend, &period)) {
                    transaction.rollback().await.map_err(|e| self.error(e))?;
                    return Ok(false);
                }
            }
            transaction
                .execute(ADD, &[&kinds, &periods, &charge.currency, &micros])
                .await
                .map_err(|e| self.error(e))?;
            transaction.commit().await.map_err(|e| self.error(e))?;
            Ok(true)
        })
        .await
    }
}

#[async_trait::async_trait]
impl Spending for PostgresStore {
    async fn charge(&self, charge: &Charge<'_>, limits: &Limits) -> Result<bool, StoreError> {
        self.add(charge, charge.micros, limits).await
    }

    async fn refund(&self, charge: &Charge<'_>) -> Result<(), StoreError> {
        self.add(charge, -charge.micros, &Limits::default()).await.map(|_| ())
    }

    async fn first_today(&self, notice: &str) -> Result<bool, StoreError> {
        let told = "INSERT INTO notices (desk, notice, day)
             VALUES (newswire_desk(), $1, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD'))
             ON CONFLICT DO NOTHING RETURNING 1";
        let rows = self.retrying(|| async { self.query(told, &[&notice]).await }).await?;
        Ok(!rows.is_empty())
    }

    async fn spent(&self) -> Result<Vec<Spent>, StoreError> {
        let rows = self.retrying(|| async { self.query(SPENT_NOW, &[]).await }).await?;
        Ok(rows
            .iter()
            .map(|r| Spent { backend: r.get(0), currency: r.get(1), today: r.get(2), this_month: r.get(3) })
            .collect())
    }
}
