//! G4 (`wasi:keyvalue/{eventual,atomic,eventual-batch}@0.2.0-draft`, early 2024), as a
//! component of that time would call it: values go through incoming- and outgoing-value
//! resources. Async bodies use wasi:io@0.2.0.

use crate::wasi::keyvalue0_2_0_draft::{atomic, eventual, eventual_batch, types, wasi_keyvalue_error};

pub struct Store {
    bucket: types::Bucket,
}

fn fail(call: &str, error: wasi_keyvalue_error::Error) -> String {
    format!("{call}: {}", error.trace())
}

stream_io!(crate::wasi::io0_2_0::streams);

fn outgoing(value: &[u8]) -> Result<types::OutgoingValue, String> {
    let out = types::OutgoingValue::new_outgoing_value();
    out.outgoing_value_write_body_sync(value).map_err(|e| fail("outgoing-value-write-body-sync", e))?;
    Ok(out)
}



impl Store {
    fn incoming(&self, key: &str) -> Result<types::IncomingValue, String> {
        match eventual::get(&self.bucket, key) {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(format!("get {key:?}: not found")),
            Err(e) => Err(fail("get", e)),
        }
    }
}

impl crate::Kv for Store {
    fn open() -> Result<Self, String> {
        let bucket = types::Bucket::open_bucket("").map_err(|e| fail("open-bucket", e))?;
        Ok(Store { bucket })
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, String> {
        let incoming = self.incoming(key)?;
        types::IncomingValue::incoming_value_consume_sync(incoming).map_err(|e| fail("incoming-value-consume-sync", e))
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        let out = outgoing(value)?;
        eventual::set(&self.bucket, key, &out).map_err(|e| fail("set", e))
    }

    fn get_async(&self, key: &str) -> Result<Vec<u8>, String> {
        let incoming = self.incoming(key)?;
        let stream = types::IncomingValue::incoming_value_consume_async(incoming)
            .map_err(|e| fail("incoming-value-consume-async", e))?;
        read_all(&stream)
    }

    fn set_async(&self, key: &str, value: &[u8]) -> Result<(), String> {
        let out = types::OutgoingValue::new_outgoing_value();
        {
            let stream = out.outgoing_value_write_body_async().map_err(|e| fail("outgoing-value-write-body-async", e))?;
            write_all(&stream, value)?;
        }
        eventual::set(&self.bucket, key, &out).map_err(|e| fail("set", e))
    }

    fn exists(&self, key: &str) -> Result<bool, String> {
        eventual::exists(&self.bucket, key).map_err(|e| fail("exists", e))
    }

    fn increment(&self, key: &str, delta: u64) -> Result<u64, String> {
        atomic::increment(&self.bucket, key, delta).map_err(|e| fail("increment", e))
    }

    fn compare_and_swap(&self, key: &str, old: u64, new: u64) -> Result<bool, String> {
        atomic::compare_and_swap(&self.bucket, key, old, new).map_err(|e| fail("compare-and-swap", e))
    }

    fn get_many(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, String> {
        let found = eventual_batch::get_many(&self.bucket, keys).map_err(|e| fail("get-many", e))?;
        found
            .into_iter()
            .zip(keys)
            .map(|(entry, key)| match entry {
                Some(value) => types::IncomingValue::incoming_value_consume_sync(value)
                    .map_err(|e| fail("incoming-value-consume-sync", e)),
                None => Err(format!("get-many: {key:?} not found")),
            })
            .collect()
    }

    fn set_many(&self, pairs: &[(String, Vec<u8>)]) -> Result<(), String> {
        let values = pairs.iter().map(|(_, value)| outgoing(value)).collect::<Result<Vec<_>, _>>()?;
        let borrowed: Vec<(String, &types::OutgoingValue)> =
            pairs.iter().zip(&values).map(|((key, _), out)| (key.clone(), out)).collect();
        eventual_batch::set_many(&self.bucket, &borrowed).map_err(|e| fail("set-many", e))
    }

    fn list_keys(&self) -> Result<Vec<String>, String> {
        eventual_batch::keys(&self.bucket).map_err(|e| fail("keys", e))
    }
}
