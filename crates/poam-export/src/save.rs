//! Saving outputs so that a user's files are never half-written, never
//! exposed more than they were, and never left behind as debris: every
//! output goes through a temporary file in its folder, renamed into place
//! when complete.
//!
//! - The temporary file is named `.poam-<pid>-XXXXXX.tmp`; at the first
//!   save into a folder, such files whose process is gone (a run killed
//!   mid-write) are removed.
//! - A new output's mode follows the umask; a replaced file keeps its mode.
//! - [`remove_temporaries`] removes the temporary files in progress, for a
//!   signal handler (Ctrl-C, SIGTERM).
//! - [`stage`] writes without renaming, so that several outputs can be put
//!   in place together or not at all ([`Staged::commit`]), and put in place
//!   only when no file is there yet (created exclusively).

use crate::ExportError;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written, for [`remove_temporaries`].
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Set once [`remove_temporaries`] ran: no temporary file is created after.
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Folders already cleared of stale temporary files in this run.
static SWEPT: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

/// Removes the temporary files this process is writing. Meant for a signal
/// handler: the process is about to end, and its half-written files go.
pub fn remove_temporaries() {
    let paths = match IN_PROGRESS.lock() {
        Ok(mut list) => {
            STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
            std::mem::take(&mut *list)
        }
        Err(poisoned) => {
            STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
            std::mem::take(&mut *poisoned.into_inner())
        }
    };
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
}

fn forget(path: &Path) {
    if let Ok(mut list) = IN_PROGRESS.lock() {
        list.retain(|p| p != path);
    }
}

/// The folder an output goes to.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn io_error(path: &Path, source: std::io::Error) -> ExportError {
    ExportError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Whether an output can go where it is asked to: its folder exists, and
/// it is not itself a folder. Checked before a long conversion, so that a
/// mistyped path is said at once.
///
/// # Errors
///
/// [`ExportError::Io`] naming the missing folder, or the folder given as a
/// file.
pub fn check_output_folder(path: &Path) -> Result<(), ExportError> {
    let text = path.to_string_lossy();
    if path.is_dir() || text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR) {
        return Err(io_error(
            path,
            std::io::Error::other(format!(
                "this is a folder; -o takes a file name (for example {})",
                path.join("poam.xlsx").display()
            )),
        ));
    }
    let dir = folder_of(path);
    if dir.is_dir() {
        return Ok(());
    }
    Err(io_error(
        path,
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the folder {} does not exist", dir.display()),
        ),
    ))
}

/// Whether process `pid` is running (Linux: its /proc entry). Elsewhere
/// every process counts as running, and no temporary file is swept.
fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Removes, once per folder and run, the temporary files of poam runs that
/// are gone: `.poam-<pid>-XXXXXX.tmp` whose process no longer runs.
fn sweep(dir: &Path) {
    let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    {
        let Ok(mut swept) = SWEPT.lock() else { return };
        if !swept.get_or_insert_with(HashSet::new).insert(key) {
            return;
        }
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name
            .strip_prefix(".poam-")
            .filter(|_| name.ends_with(".tmp"))
        else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != me && !alive(pid) && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The mode the output will have: the replaced file's, or what the umask
/// leaves of 0666 (applied by the system when the file is created).
#[cfg(unix)]
fn mode_for(path: &Path) -> (std::fs::Permissions, bool) {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => (
            std::fs::Permissions::from_mode(m.permissions().mode() & 0o7777),
            true,
        ),
        _ => (std::fs::Permissions::from_mode(0o666), false),
    }
}

/// An output written to its temporary file and not yet in place.
#[derive(Debug)]
pub struct Staged {
    /// The temporary file; taken when committed, else removed on drop.
    tmp: Option<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(tmp) = &self.tmp {
            forget(tmp.path());
        }
    }
}

impl Staged {
    /// The output's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Puts the output in place: replacing a file there when `replace`,
    /// else only when there is none (checked by the system as the file is
    /// created, so that two runs cannot both create it).
    ///
    /// # Errors
    ///
    /// [`ExportError::Io`]: the rename failed, or (`replace` false) a file
    /// is there already (`AlreadyExists`).
    pub fn commit(mut self, replace: bool) -> Result<(), ExportError> {
        let path = self.path.clone();
        let Some(tmp) = self.tmp.take() else {
            return Ok(());
        };
        forget(tmp.path());
        let done = if replace {
            tmp.persist(&path).map(|_| ())
        } else {
            tmp.persist_noclobber(&path).map(|_| ())
        };
        done.map_err(|e| {
            let source = if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "exists already (--force replaces it)",
                )
            } else {
                e.error
            };
            io_error(&path, source)
        })
    }
}

/// Writes an output to a temporary file in its folder (`write` fills it),
/// flushed to disk and given its final mode, but not yet in place: see
/// [`Staged::commit`]. On failure nothing is left behind.
///
/// # Errors
///
/// [`ExportError::Io`] when the folder is missing or not writable, or the
/// disk fills (naming the output); whatever `write` returns.
pub fn stage(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<(), ExportError>,
) -> Result<Staged, ExportError> {
    check_output_folder(path)?;
    let dir = folder_of(path);
    sweep(dir);
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".poam-{}-", std::process::id());
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    let (mode, replacing) = mode_for(path);
    #[cfg(unix)]
    builder.permissions(mode.clone());
    // Created and listed under the lock, so that an interrupt either
    // removes it or comes before it is created.
    let mut list = IN_PROGRESS.lock().unwrap_or_else(|p| p.into_inner());
    if STOPPING.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(io_error(path, std::io::Error::other("interrupted")));
    }
    let tmp = builder.tempfile_in(dir).map_err(|e| {
        io_error(
            path,
            std::io::Error::other(format!(
                "cannot create a file in the folder {}: {}",
                dir.display(),
                std::io::Error::from(e.kind())
            )),
        )
    })?;
    list.push(tmp.path().to_path_buf());
    drop(list);
    let mut staged = Staged {
        tmp: Some(tmp),
        path: path.to_path_buf(),
    };
    let file = staged
        .tmp
        .as_mut()
        .map(|t| t.as_file_mut())
        .ok_or_else(|| io_error(path, std::io::Error::other("no temporary file")))?;
    write(file).map_err(|e| e.at(path))?;
    // The umask applied at creation may have taken more than a replaced
    // file had; its mode is set as it was.
    #[cfg(unix)]
    if replacing {
        file.set_permissions(mode).map_err(|e| io_error(path, e))?;
    }
    file.sync_all().map_err(|e| io_error(path, e))?;
    Ok(staged)
}

/// Streams a file to `path` through a temporary file in the same folder:
/// `write` fills it, and it replaces `path` only when `write` succeeded. On
/// failure nothing is left behind.
///
/// # Errors
///
/// [`ExportError::Io`] when the folder is missing or not writable or the
/// rename fails; whatever `write` returns.
pub fn save_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    stage(path, write)?.commit(true)
}

/// Writes `bytes` to `path` through a temporary file in the same folder,
/// renamed into place when complete.
///
/// # Errors
///
/// [`ExportError::Io`] when the folder is missing or not writable or the
/// rename fails.
pub fn save_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    stage_bytes(path, bytes)?.commit(true)
}

/// [`stage`] for output already in memory.
///
/// # Errors
///
/// As [`stage`].
pub fn stage_bytes(path: &Path, bytes: &[u8]) -> Result<Staged, ExportError> {
    stage(path, |file| {
        file.write_all(bytes).map_err(|e| io_error(path, e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_names_the_output_once_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("poam.csv");
        let full = || std::io::Error::from_raw_os_error(28);
        let err = save_atomic_with(&out, |_| Err(ExportError::Csv(csv::Error::from(full()))))
            .unwrap_err();
        let text = anyhow_like(&err);
        assert!(
            text.starts_with(&format!("{}: cannot write the file", out.display())),
            "{text}"
        );
        assert_eq!(text.matches("No space left on device").count(), 1, "{text}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// The error and its sources on one line, as `poam` prints them.
    fn anyhow_like(e: &dyn std::error::Error) -> String {
        let mut out = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            out.push_str(": ");
            out.push_str(&s.to_string());
            source = s.source();
        }
        out
    }
}
