//! `guest-spin3 OP...`, a WASI 0.3 command (it exports `wasi:cli/run@0.3.0`): each OP one
//! call of Spin 4's `spin:key-value@3.0.0`, awaited, its answer printed on a line of its own
//! (`OP: answer`, or `OP: error <variant>`). Stores are opened by label and kept under it.
//!
//! Ops: `open LABEL`, `get LABEL KEY` (`none` for no value), `set LABEL KEY VALUE`,
//! `delete LABEL KEY`, `exists LABEL KEY`, `keys LABEL` (the stream read to its end, sorted,
//! then the future's answer), `first-keys LABEL N` (N keys read, then the stream dropped
//! unread), `drop LABEL`, `concurrent LABEL N` (N `set`s of `c0`.. in flight at once, then
//! N `get`s at once, each checked).

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/spin3-guest",
    generate_all,
});

use exports::wasi::cli0_3_0::run::Guest;
use spin::key_value::key_value::{Error, Store};

struct Command;

export!(Command);

fn words(e: &Error) -> String {
    match e {
        Error::StoreTableFull => "store-table-full".into(),
        Error::NoSuchStore => "no-such-store".into(),
        Error::AccessDenied => "access-denied".into(),
        Error::Other(text) => format!("other({text})"),
    }
}

async fn one(op: &str, stores: &mut Vec<(String, Store)>) -> Result<String, Error> {
    let parts: Vec<&str> = op.splitn(4, ' ').collect();
    let store = |stores: &Vec<(String, Store)>, label: &str| stores.iter().position(|(l, _)| l == label);
    let missing = || Error::Other("the guest never opened that label".into());
    macro_rules! with {
        ($label:expr) => {
            &stores[store(stores, $label).ok_or_else(missing)?].1
        };
    }
    Ok(match parts.as_slice() {
        ["open", label] => {
            let opened = Store::open(label.to_string()).await?;
            stores.retain(|(l, _)| l != label);
            stores.push((label.to_string(), opened));
            "ok".into()
        }
        ["get", label, key] => match with!(label).get(key.to_string()).await? {
            Some(value) => String::from_utf8_lossy(&value).into_owned(),
            None => "none".into(),
        },
        ["set", label, key, value] => {
            with!(label).set(key.to_string(), value.as_bytes().to_vec()).await?;
            "ok".into()
        }
        ["delete", label, key] => {
            with!(label).delete(key.to_string()).await?;
            "ok".into()
        }
        ["exists", label, key] => with!(label).exists(key.to_string()).await?.to_string(),
        ["keys", label] => {
            let (stream, end) = with!(label).get_keys().await;
            let mut keys = stream.collect().await;
            keys.sort();
            end.await?;
            format!("[{}] ok", keys.join(","))
        }
        ["first-keys", label, n] => {
            let (mut stream, end) = with!(label).get_keys().await;
            let mut read = 0;
            let wanted: usize = n.parse().unwrap_or(0);
            while read < wanted {
                match stream.next().await {
                    Some(_) => read += 1,
                    None => break,
                }
            }
            drop(stream);
            drop(end);
            format!("read {read}, dropped the rest")
        }
        ["concurrent", label, n] => {
            let s = with!(label);
            let n: usize = n.parse().unwrap_or(0);
            let sets = (0..n).map(|i| s.set(format!("c{i}"), format!("v{i}").into_bytes()));
            for done in futures::future::join_all(sets).await {
                done?;
            }
            let gets = (0..n).map(|i| s.get(format!("c{i}")));
            let mut right = 0;
            for (i, got) in futures::future::join_all(gets).await.into_iter().enumerate() {
                if got? == Some(format!("v{i}").into_bytes()) {
                    right += 1;
                }
            }
            format!("{n} sets in flight at once, {right} of {n} read back")
        }
        ["drop", label] => {
            let at = store(stores, label).ok_or_else(missing)?;
            stores.remove(at);
            "ok".into()
        }
        _ => return Err(Error::Other(format!("guest-spin3 does not know the op {op:?}"))),
    })
}

impl Guest for Command {
    async fn run() -> Result<(), ()> {
        let mut stores = Vec::new();
        for op in std::env::args().skip(1) {
            match one(&op, &mut stores).await {
                Ok(answer) => println!("{op}: {answer}"),
                Err(e) => println!("{op}: error {}", words(&e)),
            }
        }
        Ok(())
    }
}
