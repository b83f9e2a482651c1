//! Labelled imports, the component model's `implements` form that wasmCloud 2 uses to give
//! one component several stores (`import team-a: wasi:keyvalue/store@0.2.0-draft;`, its
//! `keyvalue-implements` fixture). `guest-g5-labelled` has that world, as a command. Our
//! wasmparser, wac-graph and wasmtime 48 read the form, so `inspect` lists the labels and
//! `plug` gives each label an adapter instance of its own.

use super::shared::*;

const LABELLED: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g5-labelled.wasm");

#[test]
fn inspect_lists_each_label_with_the_interface_it_implements() {
    let stdout = text(&kv_adapt(&["inspect", LABELLED]).stdout);
    for label in ["team-a", "team-b"] {
        let line = format!("  {label} (label, implements wasi:keyvalue/store@0.2.0-draft)  [G5]");
        assert!(stdout.lines().any(|l| l == line), "{stdout}");
    }
    assert!(stdout.lines().any(|l| l == "key-value generations imported: G5 wasi:keyvalue@0.2.0-draft: store"), "{stdout}");
    assert!(
        stdout.lines().any(|l| l
            == "plug --host g6 (draft2): adapt G5 -> G6 with adapter-g5-on-g6-no-batch; one adapter instance for each label (team-a, team-b), all over the host's buckets"),
        "{stdout}"
    );
    // wasmCloud 2 binds labels itself.
    assert!(stdout.lines().any(|l| l == "plug --host wasmcloud: nothing to adapt: already imports G5 wasi:keyvalue@0.2.0-draft"), "{stdout}");
}

/// Onto G6, G2 and Spin: each label's calls go through its own adapter, the labels share
/// the host's buckets by name unless `--bucket LABEL:NAME=BUCKET` gives each its own, and
/// the plug imports only the host's interfaces (no label is left for a host to bind).
#[test]
fn each_label_gets_an_adapter_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let plugged = dir.path().join("plugged.wasm");
    let output = kv_adapt(&["plug", LABELLED, "-o", plugged.to_str().unwrap(), "--host", "g6"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let surface = kv_adapt::surface("plugged", &std::fs::read(&plugged).unwrap()).unwrap();
    assert!(surface.labels.is_empty(), "{:?}", surface.labels);
    let mut keyvalue: Vec<&String> = surface.imports.iter().filter(|i| i.contains("keyvalue")).collect();
    keyvalue.sort();
    assert_eq!(keyvalue, ["wasi:keyvalue/atomics@0.2.0-draft2", "wasi:keyvalue/store@0.2.0-draft2"]);
    let ops = ["set team-a b k from-a", "get team-b b k", "set team-b b j from-b", "keys team-a b"];
    for host in ["g6", "g2", "spin"] {
        let shared = run(LABELLED, dir.path().join(host).to_str().unwrap(), host, &ops);
        assert_eq!(shared, "set team-a b k from-a: ok\nget team-b b k: from-a\nset team-b b j from-b: ok\nkeys team-a b: [j,k]\n", "{host}");
        let apart = dir.path().join(format!("{host}-apart"));
        let stdout = run_with(LABELLED, apart.to_str().unwrap(), host, &["--bucket", "team-a:b=alpha", "--bucket", "team-b:b=beta"], &ops);
        assert_eq!(stdout, "set team-a b k from-a: ok\nget team-b b k: none\nset team-b b j from-b: ok\nkeys team-a b: [k]\n", "{host}");
        assert_eq!(std::fs::read(apart.join("alpha/k")).unwrap(), b"from-a", "{host}");
        assert_eq!(std::fs::read(apart.join("beta/j")).unwrap(), b"from-b", "{host}");
    }
}

/// On a host of the labels' own generation nothing is adapted, and binding labels is the
/// host's work: wasmCloud 2 does, kv-adapt's hosts do not, so `run` says so in one line
/// (never a link error).
#[test]
fn what_kv_adapt_cannot_do_with_labels_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for host in ["g5", "wasmcloud"] {
        let output = kv_adapt(&["run", LABELLED, "--store", dir.path().to_str().unwrap(), "--host", host, "--", "get team-a b k"]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("under labels (team-a, team-b), and kv-adapt's own hosts bind no labels (wasmCloud 2 does)"), "{stderr}");
    }
}
