//! A G5 command with two labelled imports of `wasi:keyvalue/store@0.2.0-draft` (`team-a`,
//! `team-b`), the shape of wasmCloud 2's `keyvalue-implements` fixture. Each argument is
//! one call through that label's import, its answer printed on a line of its own: `set
//! LABEL BUCKET KEY VALUE`, `get LABEL BUCKET KEY`, `keys LABEL BUCKET`.

wit_bindgen::generate!({
    path: "wit",
    world: "kv-adapt:labelled-guest/g5-labelled",
    generate_all,
});

use exports::wasi::cli::run::Guest;
use wasi::cli::{environment, stdout};

struct Command;

export!(Command);

/// One call through the import of label `$label` (its generated module), as text.
macro_rules! call {
    ($label:ident, $verb:expr, $bucket:expr, $rest:expr) => {{
        use $label::{open, Error};
        let text = |e: Error| match e {
            Error::NoSuchStore => "error no-such-store".to_string(),
            Error::AccessDenied => "error access-denied".to_string(),
            Error::Other(text) => format!("error other({text})"),
        };
        match open($bucket) {
            Err(e) => text(e),
            Ok(bucket) => match ($verb, $rest) {
                ("set", [key, value]) => bucket.set(key, value.as_bytes()).map_or_else(text, |()| "ok".to_string()),
                ("get", [key]) => bucket.get(key).map_or_else(text, |v| v.map_or("none".to_string(), |v| String::from_utf8_lossy(&v).into_owned())),
                ("keys", []) => bucket.list_keys(None).map_or_else(text, |page| format!("[{}]", page.keys.join(","))),
                _ => format!("unknown operation {}", $verb),
            },
        }
    }};
}

impl Guest for Command {
    fn run() -> Result<(), ()> {
        let out = stdout::get_stdout();
        for op in environment::get_arguments().into_iter().skip(1) {
            let parts: Vec<&str> = op.split(' ').collect();
            let answer = match parts.as_slice() {
                [verb, "team-a", bucket, rest @ ..] => call!(team_a, *verb, bucket, rest),
                [verb, "team-b", bucket, rest @ ..] => call!(team_b, *verb, bucket, rest),
                _ => format!("unknown operation {op}"),
            };
            out.blocking_write_and_flush(format!("{op}: {answer}\n").as_bytes()).map_err(|_| ())?;
        }
        Ok(())
    }
}
