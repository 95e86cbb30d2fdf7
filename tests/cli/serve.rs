//! `poam serve` driven over HTTP as the page drives it: a real tracker
//! dropped, a column's field changed, the mapping saved, a FedRAMP workbook
//! downloaded and read back; and each of the server's guards refusing what
//! it must (no token, a foreign Host, a foreign page, a path outside the
//! session, an oversized upload, a hostile file).

use reqwest::blocking::Client;
use reqwest::header::{HeaderMap, HOST};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

/// A `poam serve` process, stopped when dropped.
struct Server {
    child: Child,
    base: String,
    token: String,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let bin = assert_cmd::cargo::cargo_bin("poam");
        let mut child = std::process::Command::new(bin)
            .args(["serve", "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_string();
        let (base, token) = url.split_once("/?token=").expect("the printed address");
        assert!(base.starts_with("http://127.0.0.1:"), "{url}");
        Server {
            child,
            base: base.to_string(),
            token: token.to_string(),
        }
    }

    fn client(&self) -> Client {
        let mut headers = HeaderMap::new();
        headers.insert("x-poam-token", self.token.parse().unwrap());
        Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn upload(&self, name: &str, bytes: Vec<u8>) -> reqwest::blocking::Response {
        self.client()
            .post(self.url(&format!("/api/files?name={name}")))
            .body(bytes)
            .send()
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A downloaded workbook read back by `poam convert --to json`.
fn read_back(bytes: &[u8], name: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let out = super::poam()
        .arg("convert")
        .arg(&path)
        .args(["--to", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn tracker() -> Vec<u8> {
    let path = super::root().join("../shared/reference/real-files/trackers/complyscan_poam.csv");
    match std::fs::read(&path) {
        Ok(b) => b,
        Err(_) => {
            crate::require::missing(&format!("{} is absent", path.display()));
            // The project's own CSV stands in where ../shared is absent.
            std::fs::read(super::root().join("fixtures/quality/capa-log.csv")).unwrap()
        }
    }
}

/// The Done-when path: a real tracker dropped, one column's field fixed from
/// the list, the mapping saved (and read by `--mapping`), a FedRAMP v3.0
/// workbook downloaded with the metadata typed in, and read back.
#[test]
fn a_real_tracker_is_converted_in_the_page() {
    let server = Server::start(&[]);
    let http = server.client();
    let targets: Value = http
        .get(server.url("/api/targets"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(targets["formats"][0]["to"], "fedramp");
    let view: Value = server
        .upload("complyscan_poam.csv", tracker())
        .json()
        .unwrap();
    assert_eq!(view["open"], 7, "{view}");
    let id = view["id"].as_u64().unwrap();
    let columns = &view["sheets"][0]["columns"];
    let weakness = columns
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["header"] == "weakness")
        .expect("the weakness column");
    assert_eq!(weakness["field"], "weakness_name");
    // The user says the column is the description.
    let changed: Value = http
        .post(server.url(&format!("/api/files/{id}/mapping")))
        .json(&json!({"columns": [{"header": "weakness", "field": "weakness_description"}]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(changed["mapped"], true, "{changed}");
    let layout = changed["layout"].as_str().unwrap();
    assert!(layout.len() < 80 && !layout.contains('#'), "{layout}");
    assert_eq!(changed["open"], 7);
    let field_of = |v: &Value, header: &str| {
        v["sheets"][0]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["header"] == header)
            .map(|c| c["field"].clone())
    };
    assert_eq!(
        field_of(&changed, "weakness"),
        Some(json!("weakness_description"))
    );
    // "Save this mapping": the file --mapping reads, giving the same reading.
    let saved = http
        .get(server.url(&format!("/api/files/{id}/mapping.toml")))
        .send()
        .unwrap();
    assert!(saved.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("complyscan_poam-mapping.toml"));
    let toml = saved.text().unwrap();
    assert!(
        toml.contains("\"weakness\" = \"weakness_description\""),
        "{toml}"
    );
    let dir = tempfile::tempdir().unwrap();
    let (mapping, input) = (dir.path().join("m.toml"), dir.path().join("t.csv"));
    std::fs::write(&mapping, &toml).unwrap();
    std::fs::write(&input, tracker()).unwrap();
    let cli = super::poam()
        .arg("convert")
        .arg(&input)
        .arg("--mapping")
        .arg(&mapping)
        .args(["--to", "json"])
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert!(cli["items"][0]["weakness_description"].is_string(), "{cli}");
    // The FedRAMP workbook, with the metadata typed in the page.
    let made: Value = http
        .post(server.url(&format!("/api/files/{id}/convert")))
        .json(&json!({"to": "fedramp", "version": "3.0", "metadata": {
            "system_name": "Enclave", "organization": "Example Corp", "impact_level": "Moderate"}}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(made["name"], "complyscan_poam.xlsx", "{made}");
    let notes = made["not_held"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("'weight'")),
        "what the workbook could not hold is listed: {notes:?}"
    );
    assert!(
        notes.iter().all(|n| !n.as_str().unwrap().contains("--")),
        "{notes:?}"
    );
    let workbook = http
        .get(server.url(made["download"].as_str().unwrap()))
        .send()
        .unwrap();
    assert_eq!(workbook.status(), StatusCode::OK);
    let back = read_back(&workbook.bytes().unwrap(), "fedramp.xlsx");
    assert_eq!(back["system"]["name"], "Enclave");
    assert_eq!(back["system"]["impact_level"], "Moderate");
    let items = back["items"].as_array().unwrap();
    assert_eq!(items.len(), 7);
    assert_eq!(items[0]["id"], "POAM-001");
    assert_eq!(items[0]["controls"][0], "3.11.2");
    assert!(items[0]["weakness_description"]
        .as_str()
        .unwrap()
        .starts_with("Scan for vulnerabilities periodically"));
    // Every result at once.
    let all = http.get(server.url("/api/downloads.zip")).send().unwrap();
    assert_eq!(all.status(), StatusCode::OK);
    let zip = zip::ZipArchive::new(std::io::Cursor::new(all.bytes().unwrap().to_vec())).unwrap();
    assert_eq!(zip.len(), 1);
    // The check: template rules and the SPRS score of an 800-171 plan.
    let checked: Value = http
        .post(server.url(&format!("/api/files/{id}/check")))
        .json(&json!({"policy": "cmmc"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(checked["score"]["score"], 85, "{checked}");
    assert!(checked["findings"].as_array().is_some());
}

/// The page and every answer: the CSP forbids outside resources and inline
/// scripts, and the page has none; the printed token becomes a cookie.
#[test]
fn the_page_is_self_contained_and_the_token_becomes_a_cookie() {
    let server = Server::start(&[]);
    let bare = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let first = bare
        .get(server.url(&format!("/?token={}", server.token)))
        .send()
        .unwrap();
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let cookie = first.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let page = bare
        .get(server.url("/"))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    let html = page.text().unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no outside address"
    );
    for script in html.split("<script").skip(1) {
        assert!(
            script.trim_start().starts_with("src=\"/"),
            "every script is a file of this server"
        );
    }
    assert!(!html.contains(" onclick=") && !html.contains(" onload="));
    for asset in ["/app.js", "/app.css", "/icon.svg"] {
        let r = server.client().get(server.url(asset)).send().unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{asset}");
        // An SVG's namespace name is not an address anything fetches.
        let text = r
            .text()
            .unwrap()
            .replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(
            !text.contains("https://") && !text.contains("http://"),
            "{asset} names no outside address"
        );
    }
}

/// A request without the token, with the wrong one, with a foreign Host
/// header (DNS rebinding), or a change from another site's page: refused.
#[test]
fn requests_without_the_token_or_from_elsewhere_are_refused() {
    let server = Server::start(&[]);
    let bare = Client::new();
    let r = bare.get(server.url("/api/targets")).send().unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().unwrap().contains("token"));
    let r = bare
        .get(server.url("/?token=0123456789abcdef0123456789abcdef"))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = server
        .client()
        .get(server.url("/api/targets"))
        .header(HOST, "attacker.example:80")
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
    let r = server
        .client()
        .post(server.url("/api/files?name=x.csv"))
        .header("origin", "http://attacker.example")
        .body("a,b\n1,2\n")
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// Only what this session made can be fetched: no other path, no file of
/// the machine, no id it did not hand out.
#[test]
fn nothing_outside_the_session_can_be_fetched() {
    let server = Server::start(&[]);
    let http = server.client();
    for path in [
        "/api/downloads/1",
        "/api/downloads/..%2f..%2fetc%2fpasswd",
        "/api/files/1/mapping.toml",
        "/../../etc/passwd",
        "/etc/passwd",
        "/api/downloads.zip",
    ] {
        let r = http.get(server.url(path)).send().unwrap();
        assert!(r.status().is_client_error(), "{path}: {}", r.status());
        assert!(!r.text().unwrap().contains("root:"), "{path}");
    }
}

/// An upload past the limit is refused in plain words; a hostile file is
/// the CLI's one-line message, and the server goes on.
#[test]
fn oversized_and_hostile_uploads_leave_the_server_standing() {
    let server = Server::start(&["--max-upload-mb", "1"]);
    let r = server.upload("big.csv", vec![b'a'; 2 * 1024 * 1024]);
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Not a workbook, whatever its name says.
    let view: Value = server
        .upload("poam.xlsx", b"PK\x03\x04 not really a zip".to_vec())
        .json()
        .unwrap();
    let error = view["error"].as_str().expect("an error message");
    assert!(error.contains("poam.xlsx"), "{error}");
    assert!(!error.contains('\n'), "one line: {error}");
    // A zip bomb's shape: a workbook part that inflates far past the limit.
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    bomb.start_file(
        "xl/worksheets/sheet1.xml",
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated),
    )
    .unwrap();
    std::io::Write::write_all(&mut bomb, &vec![b' '; 200 * 1024 * 1024]).unwrap();
    let bomb = bomb.finish().unwrap().into_inner();
    assert!(bomb.len() < 1024 * 1024);
    let view: Value = server.upload("bomb.xlsx", bomb).json().unwrap();
    assert!(view["error"].is_string(), "{view}");
    let r = server
        .client()
        .get(server.url("/api/targets"))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the server still answers");
}

/// Ctrl-C stops the server at once.
#[test]
fn ctrl_c_stops_the_server() {
    let mut server = Server::start(&[]);
    let pid = server.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let started = std::time::Instant::now();
    loop {
        if server.child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 10,
            "still running after Ctrl-C"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        Client::new().get(server.url("/")).send().is_err(),
        "nothing listens"
    );
}

/// A free port on 127.0.0.1 for chromedriver.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The Done-when path in a real browser: headless Chromium, driven through
/// WebDriver, drops a real tracker on the page (its file input), changes a
/// column's field from the list, downloads the FedRAMP v3.0 workbook, and
/// the workbook reads back with the change. Screenshots of each step go to
/// `POAM_SCREENSHOTS` when set (to be looked at).
#[test]
fn chromium_converts_a_tracker_in_the_page() {
    let (Some(chromium), Some(chromedriver)) = (
        crate::deliverables::on_path("chromium"),
        crate::deliverables::on_path("chromedriver"),
    ) else {
        crate::require::missing(
            "Chromium and chromedriver are not installed; .ci/run installs them",
        );
        return;
    };
    let tracker_path =
        super::root().join("../shared/reference/real-files/trackers/complyscan_poam.csv");
    let Ok(tracker_path) = tracker_path.canonicalize() else {
        crate::require::missing(&format!("{} is absent", tracker_path.display()));
        return;
    };
    let server = Server::start(&[]);
    let port = free_port();
    let _driver = Driver(
        std::process::Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    let shots = std::env::var_os("POAM_SCREENSHOTS").map(std::path::PathBuf::from);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1200,1400",
                    format!("--user-data-dir={}", dir.path().join("profile").display())],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false
                }
            }),
        );
        // chromedriver takes a moment to listen.
        let mut client = None;
        for _ in 0..100 {
            match fantoccini::ClientBuilder::new(
                hyper_util::client::legacy::connect::HttpConnector::new(),
            )
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            }
        }
        let c = client.expect("a WebDriver session");
        let shot = |c: &fantoccini::Client, name: &'static str| {
            let c = c.clone();
            let shots = shots.clone();
            async move {
                if let Some(dir) = shots {
                    std::fs::create_dir_all(&dir).unwrap();
                    std::fs::write(dir.join(name), c.screenshot().await.unwrap()).unwrap();
                }
            }
        };
        use fantoccini::Locator::Css;
        c.goto(&format!("{}/?token={}", server.base, server.token))
            .await
            .unwrap();
        c.wait().for_element(Css("#to option")).await.unwrap();
        shot(&c, "1-start.png").await;
        // The file, as a user picks it.
        c.find(Css("#pick"))
            .await
            .unwrap()
            .send_keys(&tracker_path.display().to_string())
            .await
            .unwrap();
        let until = |c: &fantoccini::Client, css: &'static str, want: &'static str| {
            let c = c.clone();
            async move {
                for _ in 0..200 {
                    if let Ok(e) = c.find(Css(css)).await {
                        if e.text().await.unwrap_or_default().contains(want) {
                            return;
                        }
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                panic!("{css} never said {want}");
            }
        };
        until(&c, ".card .summary", "7 open, 0 closed").await;
        // The mapping table, and the weakness column set to the description.
        c.find(Css(".card .mapping summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        shot(&c, "2-read.png").await;
        c.find(Css("select[aria-label$='(weakness)']"))
            .await
            .unwrap()
            .select_by_value("weakness_description")
            .await
            .unwrap();
        until(
            &c,
            ".card .summary",
            "Read with your column choices: 7 open",
        )
        .await;
        // FedRAMP (the first target) v3.0 (its default), and the metadata.
        c.find(Css("input[name=system_name]"))
            .await
            .unwrap()
            .send_keys("Enclave")
            .await
            .unwrap();
        c.find(Css(".card .convert"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        until(&c, ".card .result", "Download complyscan_poam.xlsx").await;
        shot(&c, "3-converted.png").await;
        // Every control has a name a screen reader says, and at 200 % zoom
        // (the same page in half the width) nothing runs off the side.
        let unnamed = c
            .execute(
                "return [...document.querySelectorAll('button, select, input, a')]
                   .filter(e => !e.closest('[hidden]') && e.type !== 'file')
                   .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                     && !e.textContent.trim())
                   .map(e => e.outerHTML);",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(unnamed, json!([]), "controls without a name");
        c.set_window_size(600, 1400).await.unwrap();
        let overflow = c
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert!(overflow.as_i64().unwrap() <= 0, "the page scrolls sideways at 200 %: {overflow}");
        shot(&c, "4-zoom-200.png").await;
        c.set_window_size(1200, 1400).await.unwrap();
        c.find(Css(".card .result a"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let file = downloads.join("complyscan_poam.xlsx");
        for _ in 0..200 {
            if file.is_file()
                && std::fs::read_dir(&downloads)
                    .unwrap()
                    .all(|e| !e.unwrap().path().to_string_lossy().ends_with(".crdownload"))
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        c.close().await.unwrap();
    });
    let file = downloads.join("complyscan_poam.xlsx");
    assert!(file.is_file(), "the browser downloaded the workbook");
    let back = read_back(&std::fs::read(&file).unwrap(), "downloaded.xlsx");
    assert_eq!(back["system"]["name"], "Enclave");
    let items = back["items"].as_array().unwrap();
    assert_eq!(items.len(), 7);
    assert!(items[0]["weakness_description"]
        .as_str()
        .unwrap()
        .starts_with("Scan for vulnerabilities periodically"));
}

/// Several units' files rolled up in the page: each file's items under its
/// unit (the file's name), the summary by unit, and a workbook with them;
/// last month's file against this month's: the item closed since.
#[test]
fn files_roll_up_by_unit_and_months_compare() {
    let server = Server::start(&[]);
    let http = server.client();
    let csv = String::from_utf8(tracker()).unwrap();
    // This month: the first item closed.
    let lines: Vec<&str> = csv.lines().collect();
    let first = lines[1]
        .trim_end()
        .strip_suffix(",Open")
        .expect("an open first item");
    let mut closed = vec![lines[0].to_string(), format!("{first},Closed")];
    closed.extend(lines[2..].iter().map(|l| l.to_string()));
    let closed = closed.join("\n") + "\n";
    let a: Value = server
        .upload("unit-a.csv", csv.clone().into_bytes())
        .json()
        .unwrap();
    let b: Value = server
        .upload("unit-b.csv", closed.clone().into_bytes())
        .json()
        .unwrap();
    let (a, b) = (a["id"].as_u64().unwrap(), b["id"].as_u64().unwrap());
    let rolled: Value = http
        .post(server.url("/api/rollup"))
        .json(&json!({"files": [a, b], "to": "fedramp", "version": "3.0"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let units = rolled["units"].as_array().expect("the summary by unit");
    assert_eq!(units[0][0], "Business unit", "{rolled}");
    assert_eq!(units[1][0], "unit-a");
    assert_eq!(units[2][0], "unit-b");
    let workbook = http
        .get(server.url(rolled["download"].as_str().unwrap()))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    let back = read_back(&workbook, "rollup.xlsx");
    let items = back["items"].as_array().unwrap();
    let per_unit = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    assert_eq!(items.len(), 2 * per_unit, "every item of both units");
    assert!(items.iter().any(|i| i["business_unit"] == "unit-b"));
    let compared: Value = http
        .post(server.url("/api/diff"))
        .json(&json!({"old": a, "new": b}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(compared["diff"]["counts"]["closed"], 1, "{compared}");
    assert_eq!(compared["diff"]["closed"].as_array().unwrap().len(), 1);
}

/// Fifty files dropped at once: every one read, and the server answers
/// other requests while they are.
#[test]
fn fifty_files_at_once_are_all_read() {
    let server = std::sync::Arc::new(Server::start(&[]));
    let bytes = tracker();
    let threads: Vec<_> = (0..50)
        .map(|n| {
            let (server, bytes) = (server.clone(), bytes.clone());
            std::thread::spawn(move || {
                let v: Value = server
                    .upload(&format!("unit-{n}.csv"), bytes)
                    .json()
                    .unwrap();
                v["open"].as_u64()
            })
        })
        .collect();
    let r = server
        .client()
        .get(server.url("/api/targets"))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let opens: Vec<Option<u64>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(
        opens.iter().all(|o| o.is_some() && *o == opens[0]),
        "{opens:?}"
    );
}

/// A System Security Plan dropped beside the POA&M is known as one, and the
/// check reports where the two disagree, as `poam link` does.
#[test]
fn an_ssp_dropped_beside_the_poam_is_checked_against_it() {
    let server = Server::start(&[]);
    let root = super::root();
    let poam: Value = server
        .upload(
            "poam.json",
            std::fs::read(root.join("fixtures/ssp/poam.json")).unwrap(),
        )
        .json()
        .unwrap();
    let ssp: Value = server
        .upload(
            "appendix-a.docx",
            std::fs::read(root.join("fixtures/ssp/appendix-a.docx")).unwrap(),
        )
        .json()
        .unwrap();
    assert!(ssp["ssp"]["sections"].as_u64().unwrap() > 0, "{ssp}");
    let checked: Value = server
        .client()
        .post(server.url(&format!("/api/files/{}/check", poam["id"])))
        .json(&json!({"ssp": ssp["id"]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let cli = super::poam()
        .args([
            "link",
            "fixtures/ssp/poam.json",
            "--ssp",
            "fixtures/ssp/appendix-a.docx",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(checked["ssp"]["findings"], cli["findings"], "{checked}");
    assert!(!cli["findings"].as_array().unwrap().is_empty());
}

/// The user's own copy of FedRAMP's official v3.0 template, dropped beside
/// the tracker, is filled in place of the drawn layout: the download is the
/// official file with the items in it.
#[test]
fn the_users_own_template_is_filled() {
    let official = super::root()
        .join("../shared/reference/real-files/fedramp/FedRAMP-POAM-Template-v3.0-2025-11-17.xlsx");
    let Ok(template) = std::fs::read(&official) else {
        crate::require::missing(&format!("{} is absent", official.display()));
        return;
    };
    let server = Server::start(&[]);
    let blank: Value = server
        .upload("FedRAMP-POAM-Template-v3.0.xlsx", template.clone())
        .json()
        .unwrap();
    assert_eq!(
        blank["open"], 0,
        "the blank template reads as no item: {blank}"
    );
    let view: Value = server
        .upload("complyscan_poam.csv", tracker())
        .json()
        .unwrap();
    let made: Value = server
        .client()
        .post(server.url(&format!("/api/files/{}/convert", view["id"])))
        .json(&json!({"to": "fedramp", "template": blank["id"],
            "metadata": {"system_name": "Enclave"}}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(made["name"], "complyscan_poam.xlsx", "{made}");
    let filled = server
        .client()
        .get(server.url(made["download"].as_str().unwrap()))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    let parts = |b: &[u8]| -> Vec<String> {
        let z = zip::ZipArchive::new(std::io::Cursor::new(b.to_vec())).unwrap();
        let mut names: Vec<String> = z.file_names().map(|n| n.unwrap().into_owned()).collect();
        names.sort();
        names
    };
    assert_eq!(
        parts(&filled),
        parts(&template),
        "the official file's parts, no more, no fewer"
    );
    let back = read_back(&filled, "filled.xlsx");
    assert_eq!(back["items"].as_array().unwrap().len(), 7);
    assert_eq!(back["system"]["name"], "Enclave");
}

/// This month's POA&M in the page: last month's file and this month's scan
/// dropped, the update made as `poam update` makes it.
#[test]
fn this_months_poam_is_made_from_last_months_and_the_scan() {
    let server = Server::start(&[]);
    let last: Value = server
        .upload(
            "november.json",
            br#"{"system": {"name": "S"}, "items": []}"#.to_vec(),
        )
        .json()
        .unwrap();
    let hosts = [poam_fixtures::scans::Host {
        name: "web-01",
        ip: "10.0.0.1",
    }];
    let found = [poam_fixtures::scans::Result {
        host: 0,
        plugin: "1001",
        name: "Apache HTTP Server < 2.4.60",
        severity: 3,
        cvss3: Some(8.1),
        cves: &["CVE-2024-38476"],
    }];
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let scan = poam_fixtures::scans::nessus("December", day, &hosts, &found);
    let scan: Value = server
        .upload("december.nessus", scan.into_bytes())
        .json()
        .unwrap();
    // The finding, and the scan's own informational result.
    assert!(scan["scan"]["findings"].as_u64().unwrap() >= 1, "{scan}");
    assert_eq!(scan["scan"]["assets"], 1, "{scan}");
    let made: Value = server
        .client()
        .post(server.url("/api/update"))
        .json(&json!({"last": last["id"], "scans": [scan["id"]], "to": "fedramp"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        made["summary"]["new"].as_array().map(Vec::len),
        Some(1),
        "{made}"
    );
    let workbook = server
        .client()
        .get(server.url(made["download"].as_str().unwrap()))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    let back = read_back(&workbook, "december.xlsx");
    assert_eq!(back["items"].as_array().unwrap().len(), 1);
    assert_eq!(back["items"][0]["cves"][0], "CVE-2024-38476");
}
