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
    // The server may be restarting (a test restarts it): keep trying for a while.
    let mut tries = 0;
    let (client, connection) = loop {
        match config.connect(tokio_postgres::NoTls).await {
            Ok(connected) => break connected,
            Err(err) if tries < 60 => {
                tries += 1;
                eprintln!("test server not ready ({err}); trying again");
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
            Err(err) => panic!("the test server does not answer: {err}"),
        }
    };
    tokio::spawn(connection);
    let name = format!("t_{:016x}", fastrand::u64(..));
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("a test database");
    let base = url.rsplit_once('/').expect("a URL with a database").0;
    base.replacen("newswire@", &format!("newswire:{password}@"), 1) + "/" + &name
}

/// Restarts the test server (`pg_ctl restart -m fast`): every connection drops, and new ones are
/// refused until it is back. As the `postgres` user, which owns the cluster.
pub fn restart_server() {
    let data = std::env::var("NEWSWIRE_TEST_PGDATA").expect("scripts/with-postgres sets NEWSWIRE_TEST_PGDATA");
    let bin = std::env::var("PGBIN").expect("scripts/with-postgres sets PGBIN");
    let pg_ctl = format!("{bin}/pg_ctl");
    let args = ["-D", data.as_str(), "-m", "fast", "-w", "restart"];
    let root = std::process::Command::new("id").arg("-u").output().unwrap().stdout.starts_with(b"0");
    let mut command = if root {
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", "postgres", "--", &pg_ctl]);
        c
    } else {
        let mut c = std::process::Command::new("sudo");
        c.args(["-u", "postgres", "--", &pg_ctl]);
        c
    };
    let status = command.args(args).stdout(std::process::Stdio::null()).status().expect("pg_ctl runs");
    assert!(status.success(), "pg_ctl restart failed");
}
