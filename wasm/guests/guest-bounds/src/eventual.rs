//! G3/G4: resources; a leaked one is `mem::forget`-ed so its destructor never runs, as a
//! guest that loses track of its handles would.

#[cfg(feature = "g3")]
use crate::wasi::keyvalue0_1_0::{eventual, eventual_batch, types, wasi_keyvalue_error};
#[cfg(feature = "g4")]
use crate::wasi::keyvalue0_2_0_draft::{eventual, eventual_batch, types, wasi_keyvalue_error};

pub struct Store {
    bucket: types::Bucket,
}

fn fail(call: &str, error: wasi_keyvalue_error::Error) -> String {
    format!("{call}: {}", error.trace())
}

stream_io!(crate::wasi::io0_2_0::streams);

impl crate::Kv for Store {
    fn open() -> Result<Self, String> {
        Ok(Store { bucket: types::Bucket::open_bucket("").map_err(|e| fail("open-bucket", e))? })
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        let out = types::OutgoingValue::new_outgoing_value();
        out.outgoing_value_write_body_sync(value).map_err(|e| fail("outgoing-value-write-body-sync", e))?;
        eventual::set(&self.bucket, key, &out).map_err(|e| fail("set", e))
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, String> {
        match eventual::get(&self.bucket, key).map_err(|e| fail("get", e))? {
            Some(incoming) => types::IncomingValue::incoming_value_consume_sync(incoming)
                .map_err(|e| fail("incoming-value-consume-sync", e)),
            None => Err(format!("get {key:?}: none")),
        }
    }

    fn set_streamed(&self, key: &str, value: &[u8]) -> Result<(), String> {
        let out = types::OutgoingValue::new_outgoing_value();
        {
            // The stream is a child of the value: it is dropped before the value is used.
            let stream = out.outgoing_value_write_body_async().map_err(|e| fail("outgoing-value-write-body-async", e))?;
            write_all(&stream, value)?;
        }
        eventual::set(&self.bucket, key, &out).map_err(|e| fail("set", e))
    }

    fn get_streamed(&self, key: &str) -> Result<Vec<u8>, String> {
        match eventual::get(&self.bucket, key).map_err(|e| fail("get", e))? {
            Some(incoming) => {
                let stream = types::IncomingValue::incoming_value_consume_async(incoming)
                    .map_err(|e| fail("incoming-value-consume-async", e))?;
                read_all(&stream)
            }
            None => Err(format!("get {key:?}: none")),
        }
    }

    fn set_many(&self, pairs: &[(String, Vec<u8>)]) -> Result<(), String> {
        let mut values = Vec::with_capacity(pairs.len());
        for (_, value) in pairs {
            let out = types::OutgoingValue::new_outgoing_value();
            out.outgoing_value_write_body_sync(value).map_err(|e| fail("outgoing-value-write-body-sync", e))?;
            values.push(out);
        }
        let borrowed: Vec<(String, &types::OutgoingValue)> = pairs.iter().zip(&values).map(|((k, _), v)| (k.clone(), v)).collect();
        eventual_batch::set_many(&self.bucket, &borrowed).map_err(|e| fail("set-many", e))
    }

    fn get_many(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, String> {
        let found = eventual_batch::get_many(&self.bucket, keys).map_err(|e| fail("get-many", e))?;
        found
            .into_iter()
            .zip(keys)
            .map(|(entry, key)| match entry {
                Some(value) => types::IncomingValue::incoming_value_consume_sync(value).map_err(|e| fail("incoming-value-consume-sync", e)),
                None => Err(format!("get-many: {key:?} is none")),
            })
            .collect()
    }

    fn leak_value(body: Option<&[u8]>) -> Result<(), String> {
        let out = types::OutgoingValue::new_outgoing_value();
        let written = match body {
            Some(bytes) => out.outgoing_value_write_body_sync(bytes).map_err(|e| fail("outgoing-value-write-body-sync", e)),
            None => Ok(()),
        };
        core::mem::forget(out);
        written
    }

    fn leak_bucket() -> Result<(), String> {
        let bucket = types::Bucket::open_bucket("").map_err(|e| fail("open-bucket", e))?;
        core::mem::forget(bucket);
        Ok(())
    }

    fn leak_cas(&self, _key: &str) -> Result<(), String> {
        Err("G3/G4 have no cas handle".into())
    }
}
