//! `poam serve`: the tool as a page in the user's browser, served by the
//! same binary on 127.0.0.1, for people who do not use a terminal.
//!
//! Nothing leaves the machine: the files a user drops and the results made
//! from them live in this process's memory for the session, and go with it;
//! a scanner's output alone is put, while its reader reads it, in the
//! session's owner-only temporary folder, removed when the server stops. Every request must carry the session's
//! one-time token (a cookie the first page load sets from the printed
//! address, or the `X-Poam-Token` header), name this server in its `Host`
//! header (so that a page of another site cannot reach it through DNS
//! rebinding), and, when it changes something, come from this server's own
//! page (`Origin`). Every response forbids outside resources and inline
//! scripts (Content-Security-Policy). Reading and writing are poam's own
//! library calls, with the CLI's limits, on blocking threads: a bad file is
//! an error message in the page, never a crash of the server.

mod api;
mod assets;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// What the server is started with.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The largest file a user may drop, in bytes.
    pub max_upload_bytes: usize,
    /// The CLI's guards against broken or hostile workbooks.
    pub limits: poam_import::Limits,
    /// The layouts (built-in and the user's own).
    pub registry: Arc<poam_layout::Registry>,
}

/// The server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The port is taken or cannot be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The runtime or the connection loop failed.
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// The session: its token, its address, and what the user made in it.
pub(crate) struct Session {
    pub token: String,
    /// `Host` header values this server answers to.
    pub hosts: [String; 2],
    /// `Origin` values a change may come from.
    pub origins: [String; 2],
    pub opts: ServeOptions,
    pub store: std::sync::Mutex<api::Store>,
    /// The session's private folder (owner-only): a scan is put there for
    /// its reader for as long as it reads, and nothing else ever is.
    pub dir: tempfile::TempDir,
}

/// The folder of the running session, for [`remove_session_files`].
static SESSION_DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Removes the session's folder: the binary's Ctrl-C handler calls it
/// before the process ends (a normal end drops it).
pub fn remove_session_files() {
    if let Some(dir) = SESSION_DIR.get() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

type Shared = Arc<Session>;

/// A random token for one session (122 bits, from the system's generator).
fn new_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Starts the server and serves until the process ends. `ready` is told
/// the address to open (with the token) once the server listens.
///
/// # Errors
///
/// [`ServeError::Bind`] when the port cannot be had; [`ServeError::Io`]
/// when the runtime cannot start.
pub fn serve(opts: ServeOptions, ready: impl FnOnce(&str)) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .build()?;
    runtime.block_on(async move {
        let port = opts.port;
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| ServeError::Bind { port, source })?;
        let addr: SocketAddr = listener.local_addr()?;
        let token = new_token();
        let dir = tempfile::Builder::new().prefix("poam-serve-").tempdir()?;
        let _ = SESSION_DIR.set(dir.path().to_path_buf());
        let session = Arc::new(Session {
            dir,
            hosts: [
                format!("127.0.0.1:{}", addr.port()),
                format!("localhost:{}", addr.port()),
            ],
            origins: [
                format!("http://127.0.0.1:{}", addr.port()),
                format!("http://localhost:{}", addr.port()),
            ],
            token: token.clone(),
            opts,
            store: Default::default(),
        });
        let app = router(session);
        ready(&format!("http://127.0.0.1:{}/?token={token}", addr.port()));
        axum::serve(listener, app).await?;
        Ok(())
    })
}

fn router(session: Shared) -> axum::Router {
    let limit = session.opts.max_upload_bytes;
    api::routes()
        .merge(assets::routes())
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(session.clone(), guard))
        .with_state(session)
}

/// A refusal in plain words, as text.
fn refuse(status: StatusCode, why: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        why.to_string(),
    )
        .into_response()
}

fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("poam_token="))
}

/// Compares two tokens in time that does not depend on where they differ.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Every request: the Host header, the token, the origin of a change; every
/// response: the page's security headers.
async fn guard(State(s): State<Shared>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !s.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return secure(refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "This server answers only to its own address (127.0.0.1); the request named another host.",
        ));
    }
    // The first visit: the token from the printed address becomes the
    // session's cookie, and leaves the address bar.
    if request.method() == Method::GET && request.uri().path() == "/" {
        let given = request
            .uri()
            .query()
            .unwrap_or_default()
            .split('&')
            .find_map(|p| p.strip_prefix("token="));
        if let Some(given) = given {
            if !same_token(given, &s.token) {
                return secure(refuse(
                    StatusCode::FORBIDDEN,
                    "This address's token is not this server's. Use the address `poam serve` printed when it started.",
                ));
            }
            let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!(
                "poam_token={}; HttpOnly; SameSite=Strict; Path=/",
                s.token
            )) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            return secure(r);
        }
    }
    let token =
        cookie_token(headers).or_else(|| headers.get("x-poam-token").and_then(|v| v.to_str().ok()));
    if !token.is_some_and(|t| same_token(t, &s.token)) {
        return secure(refuse(
            StatusCode::FORBIDDEN,
            "No token: open the address `poam serve` printed when it started (it ends with ?token=...).",
        ));
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
        if let Some(origin) = origin {
            if !s.origins.iter().any(|o| o.eq_ignore_ascii_case(origin)) {
                return secure(refuse(
                    StatusCode::FORBIDDEN,
                    "A change may come only from this server's own page.",
                ));
            }
        }
    }
    secure(next.run(request).await)
}

/// The headers every response carries: no outside resource, no inline
/// script, no framing, nothing cached, no referrer.
fn secure(mut r: Response) -> Response {
    let h = r.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        let t = new_token();
        assert_eq!(t.len(), 32);
        assert!(same_token(&t, &t.clone()));
        assert!(!same_token(&t, &t[..31]));
        assert!(!same_token(&t, &new_token()));
    }

    #[test]
    fn the_token_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; poam_token=abc; b=2"),
        );
        assert_eq!(cookie_token(&h), Some("abc"));
        h.insert(header::COOKIE, HeaderValue::from_static("other=abc"));
        assert_eq!(cookie_token(&h), None);
    }
}
