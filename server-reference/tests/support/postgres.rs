//! A PostgreSQL cluster for the tests, one per test binary: created in a temp dir
//! by `pg_cluster.sh` (initdb, then `postgres` on a free loopback port, as a
//! normal user) the first time a test asks for it, and stopped when the test
//! binary exits (the script waits for its stdin to close). Each test gets a
//! schema of its own, so tests share the server but no rows.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use sqlx::{Connection, Executor, PgConnection};

/// Whether a PostgreSQL server binary is installed (Debian's `postgresql`).
pub fn installed() -> bool {
    std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.flatten().any(|d| d.path().join("bin/initdb").exists()))
        .unwrap_or(false)
}

/// Whether tests that need PostgreSQL run: always with `OAUTH_TEST_STORE=postgres`
/// (a missing server is then a failure), else when one is installed; a test
/// that does not run says so on stderr.
pub fn wanted(test: &str) -> bool {
    if super::test_store() == "postgres" {
        assert!(
            installed(),
            "OAUTH_TEST_STORE=postgres but no /usr/lib/postgresql/*/bin/initdb"
        );
        return true;
    }
    if !installed() {
        eprintln!("{test}: skipped, PostgreSQL is not installed (apt-get install postgresql)");
    }
    installed()
}

pub struct Cluster {
    /// `postgres://oauth:PASSWORD@127.0.0.1:PORT`
    base: String,
    pub password: String,
    pub port: u16,
    /// The script: the cluster lives while its stdin is open.
    script: Mutex<Script>,
}

struct Script {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Script {
    fn command(&mut self, command: &str, reply: &str) {
        writeln!(self.stdin, "{command}").expect("pg_cluster.sh reads commands");
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), reply, "pg_cluster.sh {command}");
    }
}

impl Cluster {
    /// The URL of database `db`.
    pub fn url(&self, db: &str) -> String {
        format!("{}/{db}", self.base)
    }

    /// Stops the server (fast shutdown: connections cut), keeping its data.
    pub fn stop(&self) {
        self.script.lock().unwrap().command("stop", "stopped");
    }

    /// Starts the stopped server again, on the same port and data.
    pub fn start(&self) {
        self.script.lock().unwrap().command("start", "ready");
    }

    /// A new, empty schema, and the URL whose `search_path` selects it.
    pub async fn fresh_schema(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = PgConnection::connect(&self.url("postgres"))
            .await
            .expect("the test cluster accepts connections");
        // The name is ours (digits and underscores), not input.
        conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE SCHEMA {name}"
        ))))
        .await
        .expect("schema created");
        conn.close().await.ok();
        format!("{}?options[search_path]={name}", self.url("postgres"))
    }
}

/// A cluster of the caller's own (for a test that stops it), stopped and
/// removed when dropped.
pub fn private_cluster() -> Cluster {
    start().unwrap_or_else(|e| panic!("a PostgreSQL cluster did not start: {e}"))
}

/// The test binary's cluster, started on first use.
pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let mut last = String::new();
        for _ in 0..3 {
            match start() {
                Ok(c) => return c,
                Err(e) => last = e,
            }
        }
        panic!("the test PostgreSQL cluster did not start: {last}")
    })
}

pub fn start() -> Result<Cluster, String> {
    let dir = std::env::temp_dir().join(format!(
        "oauth-pg-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let password = oauth_server_reference::crypto::random_token();
    std::fs::write(dir.join("pwfile"), &password).map_err(|e| e.to_string())?;
    // A free port: bound, read and released; a race with another process is
    // caught by the retry in `cluster`.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/pg_cluster.sh");
    // fsync off: the tests check the store's logic, not the disk; the durable
    // figures come from bench/ on a cluster with fsync on. md5: see the script.
    let mut child = Command::new("sh")
        .arg(&script)
        .arg(&dir)
        .arg(port.to_string())
        .arg("off")
        .arg("md5")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", script.display()))?;
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).map_err(|e| e.to_string())?;
    if line.trim() != "ready" {
        let mut err = String::new();
        if let Some(mut s) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut s, &mut err);
        }
        drop(child.stdin.take());
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&dir);
        return Err(err);
    }
    Ok(Cluster {
        base: format!("postgres://oauth:{password}@127.0.0.1:{port}"),
        password,
        port,
        script: Mutex::new(Script {
            stdin: child.stdin.take().unwrap(),
            stdout,
            _child: child,
        }),
    })
}
