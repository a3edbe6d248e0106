//! The cluster recipes of docs/cluster.md: the Slurm script parses and, run with a fake
//! `sbatch` standing in for the scheduler, really shards and merges a sweep; the
//! Kubernetes manifest parses as YAML and its shard count agrees everywhere; and
//! docs/cluster.md shows the files as they are.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_geosim");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cluster")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn slurm_script_parses() {
    let status = Command::new("bash")
        .args(["-n", "docs/cluster/sweep.slurm"])
        .current_dir(ROOT)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn slurm_script_shards_and_merges_under_a_fake_scheduler() {
    let dir = scratch("slurm");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(BIN, bin.join("geosim")).unwrap();
    // `sbatch` records its arguments, one per line, instead of submitting.
    let sbatch = bin.join("sbatch");
    std::fs::write(
        &sbatch,
        "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > \"$SBATCH_LOG\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&sbatch, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let log = dir.join("sbatch.log");
    let out = dir.join("results");
    for task in ["0", "1"] {
        let status = Command::new("bash")
            .arg(Path::new(ROOT).join("docs/cluster/sweep.slurm"))
            .current_dir(&dir)
            .env("PATH", &path)
            .env("SBATCH_LOG", &log)
            .env(
                "SCENARIO",
                Path::new(ROOT).join("tests/sweep_fixture/tiny.toml"),
            )
            .env("OUT", &out)
            .env("SLURM_ARRAY_TASK_COUNT", "2")
            .env("SLURM_ARRAY_TASK_ID", task)
            .env("SLURM_ARRAY_JOB_ID", "77")
            .env("SLURM_CPUS_PER_TASK", "1")
            .status()
            .unwrap();
        assert!(status.success(), "array task {task}");
    }
    let submitted = std::fs::read_to_string(&log).unwrap();
    assert!(submitted.contains("--dependency=afterok:77"), "{submitted}");
    let wrap = submitted
        .lines()
        .find_map(|l| l.strip_prefix("--wrap="))
        .expect("the merge is submitted with --wrap");
    let status = Command::new("sh")
        .args(["-c", wrap])
        .current_dir(&dir)
        .stdout(std::process::Stdio::null())
        .env("PATH", &path)
        .status()
        .unwrap();
    assert!(status.success(), "merge job: {wrap}");
    let csv = std::fs::read_to_string(out.join("tiny/sweep/sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 12);
}

#[test]
fn kubernetes_manifest_parses_and_agrees_on_the_shard_count() {
    let text = read("docs/cluster/sweep-job.yaml");
    let docs: Vec<serde_yaml_ng::Value> = serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).expect("valid YAML"))
        .collect();
    assert_eq!(docs.len(), 2);
    let sweep = &docs[0];
    assert_eq!(sweep["kind"].as_str(), Some("Job"));
    let spec = &sweep["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let n = spec["completions"].as_u64().unwrap();
    assert_eq!(spec["parallelism"].as_u64(), Some(n));
    let shard_cmd = spec["template"]["spec"]["containers"][0]["args"][0]
        .as_str()
        .unwrap();
    assert!(
        shard_cmd.contains(&format!("--shard \"${{JOB_COMPLETION_INDEX}}/{n}\"")),
        "{shard_cmd}"
    );
    let merge = &docs[1]["spec"]["template"]["spec"];
    let wait = merge["initContainers"][0]["args"][0].as_str().unwrap();
    assert!(
        wait.contains(&format!("shard-*-of-{n}.csv")) && wait.contains(&format!("-ge {n} ")),
        "{wait}"
    );
    let merge_cmd = merge["containers"][0]["args"][0].as_str().unwrap();
    assert!(merge_cmd.starts_with("geosim merge "), "{merge_cmd}");
}

#[test]
fn cluster_doc_shows_the_checked_files() {
    let doc = read("docs/cluster.md");
    for file in ["docs/cluster/sweep.slurm", "docs/cluster/sweep-job.yaml"] {
        assert!(
            doc.contains(&read(file)),
            "docs/cluster.md does not show {file} as it is"
        );
    }
}
