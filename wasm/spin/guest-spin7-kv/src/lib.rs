//! `guest-spin7-kv OP...`: a Spin 4 command as spin-sdk 7 builds one (`key_value::Store`,
//! async, and `wasip3`'s `wasi:cli/run@0.3.0`). The ops and answers are those of
//! `wasm/guests/guest-spin3` (wit-bindgen from our WIT), so the tests hold the two to the
//! same table: `open LABEL`, `get`, `set`, `delete`, `exists`, `keys LABEL` (every key
//! through spin-sdk's `Keys`, sorted, then its result), `first-keys LABEL N`, `drop LABEL`.

use spin_sdk::key_value::{Error, Store};

spin_sdk::wasip3::cli::command::export!(Command);

struct Command;

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
    let at = |stores: &Vec<(String, Store)>, label: &str| stores.iter().position(|(l, _)| l == label);
    let missing = || Error::Other("the guest never opened that label".into());
    Ok(match parts.as_slice() {
        ["open", label] => {
            let store = Store::open(label).await?;
            stores.retain(|(l, _)| l != label);
            stores.push((label.to_string(), store));
            "ok".into()
        }
        ["get", label, key] => match stores[at(stores, label).ok_or_else(missing)?].1.get(key).await? {
            Some(value) => String::from_utf8_lossy(&value).into_owned(),
            None => "none".into(),
        },
        ["set", label, key, value] => {
            stores[at(stores, label).ok_or_else(missing)?].1.set(key, value.as_bytes()).await?;
            "ok".into()
        }
        ["delete", label, key] => {
            stores[at(stores, label).ok_or_else(missing)?].1.delete(key).await?;
            "ok".into()
        }
        ["exists", label, key] => stores[at(stores, label).ok_or_else(missing)?].1.exists(key).await?.to_string(),
        ["keys", label] => {
            let mut keys = stores[at(stores, label).ok_or_else(missing)?].1.get_keys().await.collect().await?;
            keys.sort();
            format!("[{}] ok", keys.join(","))
        }
        ["first-keys", label, n] => {
            let mut keys = stores[at(stores, label).ok_or_else(missing)?].1.get_keys().await;
            let wanted: usize = n.parse().unwrap_or(0);
            let mut read = 0;
            while read < wanted && keys.next().await.is_some() {
                read += 1;
            }
            drop(keys);
            format!("read {read}, dropped the rest")
        }
        ["drop", label] => {
            let i = at(stores, label).ok_or_else(missing)?;
            stores.remove(i);
            "ok".into()
        }
        _ => return Err(Error::Other(format!("guest-spin7-kv does not know the op {op:?}"))),
    })
}

impl spin_sdk::wasip3::exports::cli::run::Guest for Command {
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
