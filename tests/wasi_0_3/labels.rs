//! Labelled imports, the component model's `implements` form that wasmCloud 2 uses to give
//! one component several stores (`import team-a: wasi:keyvalue/store@0.2.0-draft;`, its
//! `keyvalue-implements` fixture). `guest-g5-labelled` has that world, as a command. Our
//! wasmparser, wac-graph and wasmtime 48 read the form, so `inspect` lists the labels and
//! `plug` gives each label an adapter instance of its own, or, where a label uses types the
//! guest imports unlabelled (`guest-wasmcloud2-labelled`), the adapter of those.

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

/// wasmCloud 2's `keyvalue-implements-p3` shape: the async `store` under the label `kv`,
/// `atomics`, `cas` and `batch` unlabelled, all on the bucket opened through the label.
/// The guest writes what each call answered under `report` in that bucket.
const LABELLED_P3: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-wasmcloud2-labelled.wasm");

/// What wasmCloud 2's package documents for the guest's calls, in order.
const LABELLED_P3_REPORT: &str = "set greeting: ok
increment counter 5: 5
increment counter -2: 3
current greeting: hello
swap greeting (first): swapped
swap greeting (again): stale, now hi
set-many a b: ok
get-many a missing b: a=1 none b=2
delete-many a: ok
exists a: false";

/// A label whose interface uses types the guest imports unlabelled (`store` uses
/// `types.{bucket}`, and `atomics`, `cas` and `batch` take that bucket) cannot have an
/// adapter of its own: a type comes from one instance. The adapter of the unlabelled
/// imports serves it, on every host of another generation, and `inspect` says so.
#[test]
fn a_label_using_the_unlabelled_imports_types_shares_their_adapter() {
    let stdout = text(&kv_adapt(&["inspect", LABELLED_P3]).stdout);
    assert!(stdout.lines().any(|l| l == "  kv (label, implements wasmcloud:keyvalue/store@0.2.0)  [wasmcloud2]"), "{stdout}");
    assert!(
        stdout.lines().any(|l| l
            == "plug --host g5 (draft): adapt wasmcloud2 -> G5 with adapter-wasmcloud2-on-g5; the labels (kv) served by the adapter instance of the unlabelled imports, whose types they use"),
        "{stdout}"
    );
    let dir = tempfile::tempdir().unwrap();
    for host in ["g5", "g6", "g2", "spin"] {
        let store = dir.path().join(host);
        run(LABELLED_P3, store.to_str().unwrap(), host, &[]);
        let report = std::fs::read(store.join("labelled/report")).unwrap_or_else(|e| panic!("{host}: no report: {e}"));
        assert_eq!(text(&report), LABELLED_P3_REPORT, "{host}");
    }
}

/// Such labels cannot be renamed apart (one adapter serves them and the unlabelled
/// imports); natively kv-adapt's wasmCloud host binds no label. Each refused in one line.
#[test]
fn what_a_shared_label_cannot_do_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let one_line_failure = |args: &[&str]| {
        let output = kv_adapt(args);
        let said = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {said}");
        assert_eq!(said.lines().count(), 1, "{args:?}: {said}");
        said
    };
    let plugged = dir.path().join("plugged.wasm");
    let said = one_line_failure(&["plug", LABELLED_P3, "-o", plugged.to_str().unwrap(), "--host", "g5", "--bucket", "kv:labelled=other"]);
    assert!(said.contains("--bucket kv:labelled=other renames buckets for one label, but the labels (kv) share one adapter instance"), "{said}");
    assert!(!plugged.exists(), "nothing written");
    let said = one_line_failure(&["run", LABELLED_P3, "--store", dir.path().to_str().unwrap(), "--host", "wasmcloud"]);
    assert!(said.contains("under labels (kv), and kv-adapt's own hosts bind no labels") && said.contains("the adapter of its unlabelled imports serves them too"), "{said}");
}
