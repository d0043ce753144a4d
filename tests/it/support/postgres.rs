//! The throwaway PostgreSQL server `make test` starts (scripts/with-postgres): a fresh database
//! per test, so tests never see each other's rows.

/// The server's URL (no password) and its password, from scripts/with-postgres.
pub fn server() -> (String, String) {
    let url = std::env::var("NEWSWIRE_TEST_POSTGRES");
    let password = std::env::var("NEWSWIRE_TEST_PGPASSWORD");
    match (url, password) {
        (Ok(url), Ok(password)) => (url, password),
        _ => panic!(
            "these tests need a PostgreSQL server: run them with `make test`, or under \
             `scripts/with-postgres cargo test`, which starts a throwaway one"
        ),
    }
}

/// A new empty database on the test server; its URL carries the password.
pub async fn database() -> String {
    let (url, password) = server();
    let mut config: tokio_postgres::Config = url.parse().expect("a PostgreSQL URL");
    config.password(password.clone());
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.expect("the test server answers");
    tokio::spawn(connection);
    let name = format!("t_{:016x}", fastrand::u64(..));
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("a test database");
    let base = url.rsplit_once('/').expect("a URL with a database").0;
    base.replacen("newswire@", &format!("newswire:{password}@"), 1) + "/" + &name
}
