//! A user's files are never lost, overwritten, exposed or littered (issue
//! 14): outputs follow the umask or keep the replaced file's mode, an
//! interrupted run leaves no temporary file, a killed run's are swept by the
//! next, batch writes all of an input's formats or none, and two runs never
//! both create one output.

use crate::{poam, root};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("poam")
}

fn fixture() -> PathBuf {
    root().join("fixtures/fedramp/fedramp-3.0.xlsx")
}

/// Files poam left in a folder while writing.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".poam-") && n.ends_with(".tmp"))
        .collect()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `poam ARGS` under a umask, through the shell.
#[cfg(unix)]
fn with_umask(umask: &str, args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(bin())
        .args(args)
        .current_dir(root());
    cmd.output().unwrap()
}

#[cfg(unix)]
#[test]
fn outputs_follow_the_umask_and_a_replaced_file_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let input = fixture();
    let input = input.to_str().unwrap();
    // A private umask: the new POA&M is readable by its owner only.
    let private = dir.path().join("private.csv");
    let out = with_umask(
        "077",
        &[
            "convert",
            input,
            "--to",
            "csv",
            "-o",
            private.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&private), 0o600);
    // The usual umask: readable by all, as any new file.
    let shared = dir.path().join("shared.xlsx");
    let out = with_umask(
        "022",
        &[
            "convert",
            input,
            "--to",
            "fedramp",
            "-o",
            shared.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    assert_eq!(mode(&shared), 0o644);
    // A file kept private by its owner stays private when replaced.
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = with_umask(
        "022",
        &[
            "convert",
            input,
            "--to",
            "fedramp",
            "-o",
            shared.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    assert_eq!(mode(&shared), 0o600);
    // And one shared with a group keeps that.
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = with_umask(
        "077",
        &[
            "convert",
            input,
            "--to",
            "fedramp",
            "-o",
            shared.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    assert_eq!(mode(&shared), 0o640);
    assert!(temporaries(dir.path()).is_empty());
}

#[test]
fn a_killed_runs_temporary_files_are_swept_by_the_next_and_a_running_ones_are_not() {
    let dir = tempfile::tempdir().unwrap();
    // Left by a run killed mid-write (no process 4,000,000 runs), and by a
    // run still writing (process 1 always runs).
    let stale = dir.path().join(".poam-4000000-Ab12Cd.tmp");
    let live = dir.path().join(".poam-1-Ef34Gh.tmp");
    std::fs::write(&stale, b"half a workbook").unwrap();
    std::fs::write(&live, b"being written").unwrap();
    let out = dir.path().join("out.csv");
    poam()
        .arg("convert")
        .arg(fixture())
        .args(["--to", "csv", "-o"])
        .arg(&out)
        .assert()
        .success();
    assert!(
        !stale.exists(),
        "the killed run's temporary file is removed"
    );
    if cfg!(target_os = "linux") {
        assert!(
            live.exists(),
            "a running run's temporary file is left alone"
        );
    }
    assert!(out.exists());
}

#[test]
fn an_output_folder_given_as_o_is_said_so_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for target in [
        format!("{}/", dir.path().display()),
        dir.path().display().to_string(),
    ] {
        let out = poam()
            .arg("convert")
            .arg(fixture())
            .args(["--to", "csv", "-o", &target])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("this is a folder; -o takes a file name"),
            "{err}"
        );
        assert!(!err.contains("os error 20"), "{err}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn rollup_without_force_never_replaces_a_file_that_appears_meanwhile() {
    // Two runs into one output: the second is refused, not both "done".
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("units");
    poam_fixtures::write_unit_tree(&tree, 3, 0).unwrap();
    let out = dir.path().join("all.csv");
    let run = || {
        poam()
            .arg("rollup")
            .arg(&tree)
            .args(["--to", "csv", "-o"])
            .arg(&out)
            .output()
            .unwrap()
    };
    assert!(run().status.success());
    let before = std::fs::read(&out).unwrap();
    let second = run();
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("exists already"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
}

/// Interrupted with SIGINT or SIGTERM while it writes (the moment one of
/// its temporary files appears), a batch leaves no temporary file, and each
/// input has all its formats or none; killed with SIGKILL there, the next
/// run into the folder sweeps what it left.
#[cfg(unix)]
#[test]
fn an_interrupted_batch_leaves_no_temporary_file_and_no_half_set_of_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("units");
    std::fs::create_dir_all(&tree).unwrap();
    for k in 0..4 {
        poam_fixtures::write_large_fedramp(1_500, &tree.join(format!("unit-{k}.xlsx"))).unwrap();
    }
    let outputs_of = |out: &Path, stem: &str| {
        ["xlsx", "csv", "json"]
            .iter()
            .filter(|ext| out.join(format!("{stem}.{ext}")).exists())
            .count()
    };
    let mut caught = 0;
    for (round, signal) in ["INT", "TERM", "INT", "TERM", "KILL", "KILL"]
        .into_iter()
        .enumerate()
    {
        let out = dir.path().join(format!("out-{round}"));
        std::fs::create_dir_all(&out).unwrap();
        let mut child = std::process::Command::new(bin())
            .arg("batch")
            .arg(&tree)
            .args([
                "--to",
                "fedramp",
                "--to",
                "csv",
                "--to",
                "json",
                "-j",
                "2",
                "-q",
                "--out-dir",
            ])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait for a temporary file, then interrupt at once.
        let started = std::time::Instant::now();
        let mut seen = false;
        while started.elapsed() < std::time::Duration::from_secs(120) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if !temporaries(&out).is_empty() {
                seen = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let _ = child.wait();
        if !seen {
            continue;
        }
        caught += 1;
        if signal == "KILL" {
            poam()
                .arg("batch")
                .arg(&tree)
                .args(["--to", "csv", "-q", "--force", "--out-dir"])
                .arg(&out)
                .assert()
                .success();
        } else {
            for k in 0..4 {
                let n = outputs_of(&out, &format!("unit-{k}"));
                assert!(
                    n == 0 || n == 3,
                    "SIG{signal}: unit-{k} has {n} of 3 outputs"
                );
            }
        }
        assert!(
            temporaries(&out).is_empty(),
            "SIG{signal} while writing left {:?}",
            temporaries(&out)
        );
    }
    assert!(
        caught >= 3,
        "only {caught} of 6 runs were caught while writing"
    );
}

/// Text with control characters (Word's soft line break arrives from a
/// workbook as `_x000B_`, a NUL from a broken export) becomes Word files
/// that Word and LibreOffice open: the characters are replaced, and said.
#[test]
fn control_characters_in_the_text_make_word_files_that_open() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("tracker.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "POA&M ID",
        "Weakness",
        "Controls",
        "Status",
        "Remediation Plan",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in [
        "P-1",
        "Shared\u{b}admin account",
        "AC-2",
        "Ongoing",
        "Disable it\u{0} today\u{1f}",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    wb.save(&input).unwrap();
    let mut files = Vec::new();
    for (args, name) in [
        (vec!["convert", "--to", "nist171-docx"], "plan.docx"),
        (vec!["report", "--format", "docx"], "report.docx"),
    ] {
        let out = dir.path().join(name);
        let run = poam()
            .arg(args[0])
            .arg(&input)
            .args(&args[1..])
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let xml = crate::deliverables::part(&out, "word/document.xml");
        assert!(
            !xml.contains(|c: char| c < ' ' && !['\t', '\n', '\r'].contains(&c)),
            "{name} holds a control character"
        );
        assert!(xml.contains("admin account"), "{name}");
        if name == "plan.docx" {
            let err = String::from_utf8_lossy(&run.stderr);
            assert!(err.contains("control characters that XML forbids"), "{err}");
        }
        files.push(out);
    }
    let Ok(soffice) = which("soffice") else {
        crate::require::missing("LibreOffice is not installed; .ci/run installs it");
        return;
    };
    let profile = format!("-env:UserInstallation=file://{}/lo", dir.path().display());
    let pdfs = dir.path().join("pdf");
    std::process::Command::new(soffice)
        .args(["--headless", &profile, "--convert-to", "pdf", "--outdir"])
        .arg(&pdfs)
        .args(&files)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    for f in &files {
        let pdf = pdfs.join(f.with_extension("pdf").file_name().unwrap());
        let bytes = std::fs::read(&pdf).unwrap_or_default();
        assert!(
            bytes.starts_with(b"%PDF"),
            "LibreOffice could not open {}",
            f.display()
        );
    }
}

fn which(name: &str) -> Result<PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|c| c.is_file())
        })
        .ok_or(())
}

/// Dates before 1900 or after 9999 (a .NET empty date, a `1/1/1899` typo, a
/// `1024-01-15` typo) are kept as text with a warning naming the cell, and
/// the file converts; a model holding one writes it as text.
#[test]
fn out_of_range_dates_are_kept_as_text_and_said_and_the_file_converts() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("dates.csv");
    std::fs::write(
        &input,
        "POA&M ID,Weakness,Controls,Due Date\nP-1,a,AC-2,0001-01-01\nP-2,b,AC-3,1/1/1899\nP-3,c,AC-6,1024-01-15\nP-4,d,CM-6,2025-03-01\n",
    )
    .unwrap();
    let out = dir.path().join("out.xlsx");
    let run = poam()
        .arg("convert")
        .arg(&input)
        .args(["--to", "fedramp", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let m = crate::model(input.to_str().unwrap(), &[]);
    for (i, raw) in ["0001-01-01", "1/1/1899", "1024-01-15"].iter().enumerate() {
        assert_eq!(m["items"][i]["scheduled_completion"], Value::Null, "{raw}");
        assert_eq!(m["items"][i]["extra"]["Due Date"], *raw);
    }
    assert_eq!(m["items"][3]["scheduled_completion"], "2025-03-01");
    let inspect = poam()
        .args(["inspect", "--format", "json"])
        .arg(&input)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&inspect.stdout).unwrap();
    let out_of_range: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "date-out-of-range")
        .collect();
    assert_eq!(out_of_range.len(), 3);
    assert_eq!(out_of_range[2]["location"]["column"], "D");
    assert_eq!(out_of_range[2]["location"]["row"], 4);

    // A model (JSON) that holds such a date: written as text, and said.
    let json = dir.path().join("model.json");
    let mut model = m.clone();
    model["items"][0]["scheduled_completion"] = Value::from("0001-01-01");
    std::fs::write(&json, model.to_string()).unwrap();
    let run = poam()
        .arg("convert")
        .arg(&json)
        .args(["--to", "fedramp", "-o"])
        .arg(dir.path().join("from-json.xlsx"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("before 1900 or after 9999"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Text past Excel's 32,767 UTF-16 units, where an emoji counts twice, is
/// cut at the limit with the warning, never failing the file.
#[test]
fn text_past_excels_limit_in_utf16_units_is_cut_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let base = crate::model("fixtures/fedramp/fedramp-3.0.xlsx", &[]);
    let mut model = base.clone();
    // 20,000 characters, 40,000 UTF-16 units.
    model["items"][0]["weakness_description"] = Value::from("🔒".repeat(20_000));
    let json = dir.path().join("model.json");
    std::fs::write(&json, model.to_string()).unwrap();
    let out = dir.path().join("out.xlsx");
    let run = poam()
        .arg("convert")
        .arg(&json)
        .args(["--to", "fedramp", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stderr).contains("32,767"));
    let back = crate::model(out.to_str().unwrap(), &[]);
    let text = back["items"][0]["weakness_description"].as_str().unwrap();
    let units = text.encode_utf16().count();
    assert!((32_766..=32_767).contains(&units), "{units} UTF-16 units");
    assert!(text.chars().all(|c| c == '🔒'));
}

/// A link to nothing among the inputs is reported and fails the run (exit
/// 1), as a folder that cannot be opened is; it is never skipped in silence.
#[cfg(unix)]
#[test]
fn a_dangling_link_among_the_inputs_is_reported_and_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("units");
    poam_fixtures::write_unit_tree(&tree, 2, 0).unwrap();
    std::os::unix::fs::symlink(dir.path().join("gone.xlsx"), tree.join("bu-09.xlsx")).unwrap();
    // A link back up the tree: not followed, said.
    std::os::unix::fs::symlink(&tree, tree.join("loop")).unwrap();
    let out = dir.path().join("out");
    let run = poam()
        .arg("batch")
        .arg(&tree)
        .args(["--to", "csv", "--out-dir"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let table = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    let said = format!("{table}{err}");
    assert!(said.contains("gone.xlsx, which does not exist"), "{said}");
    assert!(said.contains("a loop"), "{said}");
    let run = poam()
        .arg("rollup")
        .arg(&tree)
        .args(["--to", "csv", "-o"])
        .arg(dir.path().join("all.csv"))
        .output()
        .unwrap();
    assert_ne!(run.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&run.stderr).contains("which does not exist"));
}

/// A file named twice (a folder and a file in it) is read once; two files of
/// one unit that share IDs get unique ones in the roll-up.
#[test]
fn overlapping_inputs_are_read_once_and_one_units_ids_stay_unique() {
    let dir = tempfile::tempdir().unwrap();
    let unit = dir.path().join("bu-01");
    std::fs::create_dir_all(&unit).unwrap();
    let a = unit.join("january.csv");
    let b = unit.join("february.csv");
    std::fs::write(&a, "POA&M ID,Weakness,Controls\nP-1,a,AC-2\nP-2,b,AC-3\n").unwrap();
    std::fs::write(&b, "POA&M ID,Weakness,Controls\nP-1,c,AC-6\n").unwrap();
    let out = dir.path().join("all.json");
    let run = poam()
        .arg("rollup")
        .arg(&unit)
        .arg(&a)
        .args(["--to", "json", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let m: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let ids: Vec<&str> = m["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "january.csv read once: {ids:?}");
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), 3, "{ids:?}");
    assert!(
        !ids.iter()
            .any(|i| i.ends_with("-2") && i.contains("january")),
        "{ids:?}"
    );
}

#[test]
fn batch_into_its_own_input_folder_and_a_mismatched_ending_are_said_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("units");
    poam_fixtures::write_unit_tree(&tree, 2, 0).unwrap();
    let run = poam()
        .arg("batch")
        .arg(&tree)
        .args(["--to", "csv", "--out-dir"])
        .arg(&tree)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("--out-dir is the input folder itself"),
        "{err}"
    );
    let out = dir.path().join("out.xlsx");
    let run = poam()
        .arg("convert")
        .arg(fixture())
        .args(["--to", "csv", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("the name ends in .xlsx, but --to csv writes a .csv file"),
        "{err}"
    );
}

/// Items that share an ID are said and paired by content; a renumbered item
/// is recognized, not reported as new and disappeared.
#[test]
fn diff_pairs_duplicate_ids_by_content_and_recognizes_renumbered_items() {
    let dir = tempfile::tempdir().unwrap();
    let header = "POA&M ID,Weakness Name,Controls,Status,Weakness Source Identifier,Asset Identifier,Original Detection Date\n";
    let old = dir.path().join("january.csv");
    let new = dir.path().join("february.csv");
    std::fs::write(
        &old,
        format!("{header}P-1,Shared admin account,AC-2,Ongoing,,,\nP-1,Weak passwords,IA-5,Ongoing,,,\nP-3,OpenSSL out of date,SI-2,Ongoing,19506,web-01,2024-01-10\n"),
    )
    .unwrap();
    std::fs::write(
        &new,
        format!("{header}P-1,Weak passwords,IA-5,Ongoing,,,\nP-1,Shared admin account,AC-2,Completed,,,\nX-30,OpenSSL out of date,SI-2,Ongoing,19506,web-01,2024-01-10\n"),
    )
    .unwrap();
    let out = poam()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        d["duplicate_ids"],
        serde_json::json!(["OLD: P-1 × 2", "NEW: P-1 × 2"]),
        "{d}"
    );
    // The shared admin account is the one closed, whatever its row.
    assert_eq!(d["closed"].as_array().unwrap().len(), 1, "{d}");
    assert_eq!(d["closed"][0]["weakness"], "Shared admin account");
    assert_eq!(
        d["counts"]["changed"], 1,
        "only the closed one changed: {d}"
    );
    assert_eq!(d["renumbered"][0]["old_id"], "P-3");
    assert_eq!(d["renumbered"][0]["new_id"], "X-30");
    assert_eq!(d["counts"]["added"], 0, "{d}");
    assert_eq!(d["counts"]["disappeared"], 0, "{d}");
    let text = poam().arg("diff").arg(&old).arg(&new).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(
            "P-3 -> X-30: OpenSSL out of date (same source identifier, assets and detection date)"
        ),
        "{text}"
    );
    assert!(text.contains("IDs held by more than one item"), "{text}");
}

/// A CSV with more rows than the workbook target can hold is refused before
/// any work, with the count and how to split, not after a long run.
#[test]
fn a_csv_too_long_for_a_workbook_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("huge.csv");
    let mut text = String::from("POA&M ID,Weakness,Controls\n");
    for k in 0..1_048_600u32 {
        text.push_str(&format!("P{k},w,AC-2\n"));
    }
    std::fs::write(&input, text).unwrap();
    let out = dir.path().join("out.xlsx");
    let run = poam()
        .arg("convert")
        .arg(&input)
        .args(["--to", "nist-171", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("1048600 rows"), "{err}");
    assert!(err.contains("split the file"), "{err}");
    // Refused by counting the rows (the message of the check before any
    // work), not by a sheet filling up at the end.
    assert!(
        err.contains("workbook holds 1048575 items at most"),
        "{err}"
    );
    assert!(!out.exists());
}

/// The side outputs (`--report-json`, `--emit-mapping`, `--summary-json`)
/// never replace an input either; the input is left as it was.
#[test]
fn side_outputs_never_replace_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("tracker.csv");
    std::fs::write(&input, "POA&M ID,Weakness,Controls\nP-1,a,AC-2\n").unwrap();
    let before = std::fs::read(&input).unwrap();
    let link = dir.path().join("link.csv");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&input, &link).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(&input, &link).unwrap();
    let runs: Vec<Vec<std::ffi::OsString>> = vec![
        vec![
            "convert".into(),
            input.clone().into(),
            "--to".into(),
            "json".into(),
            "-o".into(),
            dir.path().join("o.json").into(),
            "--report-json".into(),
            link.clone().into(),
        ],
        vec![
            "inspect".into(),
            input.clone().into(),
            "--emit-mapping".into(),
            input.clone().into(),
        ],
        vec![
            "batch".into(),
            dir.path().into(),
            "--to".into(),
            "json".into(),
            "--out-dir".into(),
            dir.path().join("out").into(),
            "--summary-json".into(),
            input.clone().into(),
        ],
    ];
    for args in runs {
        let run = poam().args(&args).output().unwrap();
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(err.contains("would replace the input"), "{args:?}: {err}");
        assert_eq!(std::fs::read(&input).unwrap(), before, "{args:?}");
    }
}

/// A report is written as its template runs: a template that fails after
/// the item lists leaves no file and no temporary file, and a report it
/// would have replaced is kept as it was.
#[test]
fn a_report_whose_template_fails_midway_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        templates.join("report.md"),
        "{% for i in items %}{{ i.id }}\n{% endfor %}{{ no_such_name }}\n",
    )
    .unwrap();
    let out = dir.path().join("report.md");
    let run = |out: &Path| {
        poam()
            .arg("report")
            .arg(fixture())
            .args(["--format", "md", "--template-dir"])
            .arg(&templates)
            .arg("-o")
            .arg(out)
            .output()
            .unwrap()
    };
    let failed = run(&out);
    assert_eq!(failed.status.code(), Some(2));
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(err.contains("report.md: line 2"), "{err}");
    assert!(!out.exists(), "a half-written report was left");
    assert!(temporaries(dir.path()).is_empty());
    std::fs::write(&out, "last month's report\n").unwrap();
    assert_eq!(run(&out).status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "last month's report\n"
    );
    // The same template without the typo writes every item, open first.
    std::fs::write(
        templates.join("report.md"),
        "{{ items|length }} {{ open_items|length }}\n{% for i in items %}{{ i.id }} {{ i.state }}\n{% endfor %}",
    )
    .unwrap();
    assert!(run(&out).status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (total, open) = lines[0].split_once(' ').unwrap();
    assert_eq!(lines.len() - 1, total.parse::<usize>().unwrap());
    let open: usize = open.parse().unwrap();
    assert!(open > 0 && open < lines.len() - 1, "{text}");
    assert!(
        lines[1..=open].iter().all(|l| l.ends_with(" Open")),
        "{text}"
    );
    assert!(
        lines[open + 1..].iter().all(|l| l.ends_with(" Closed")),
        "{text}"
    );
}

/// A Word file is built whole in memory: past the items it takes, poam says
/// so before building it, names what to write instead, and writes nothing.
#[test]
fn a_word_file_past_its_item_limit_is_refused_before_it_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("tracker.csv");
    let mut text = String::from("POA&M ID,Weakness,Controls,Status\n");
    for n in 0..30_001 {
        text.push_str(&format!("P-{n},Weakness {n},AC-2,Open\n"));
    }
    std::fs::write(&input, text).unwrap();
    for (args, words) in [
        (
            vec!["convert", "--to", "nist171-docx", "-o"],
            "30000 items at most, and this POA&M has 30001; write the workbook form (--to nist-171)",
        ),
        (
            vec!["report", "--format", "docx", "-o"],
            "8000 items at most, and this POA&M has 30001; write the HTML or Markdown report",
        ),
    ] {
        let out = dir.path().join("out.docx");
        let run = poam()
            .arg(args[0])
            .arg(&input)
            .args(&args[1..])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(3), "{args:?}");
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(err.contains(words), "{args:?}: {err}");
        assert!(!out.exists());
        assert!(temporaries(dir.path()).is_empty());
    }
}
