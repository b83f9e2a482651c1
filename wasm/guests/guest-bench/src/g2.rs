//! G2 (late-2023 `wasi:keyvalue`, u32 handles), as a component of that time would call it:
//! every value goes through an incoming- or outgoing-value handle that is freed afterwards,
//! every error handle is read and freed. Async bodies use wasi:io@0.2.0-rc-2023-11-10.

use crate::wasi::keyvalue::{atomic, batch, readwrite, types, wasi_cloud_error};

pub struct Store {
    bucket: types::Bucket,
}

/// Reads and frees an error handle.
fn fail(call: &str, error: wasi_cloud_error::Error) -> String {
    let trace = wasi_cloud_error::trace(error);
    wasi_cloud_error::drop_error(error);
    format!("{call}: {trace}")
}

stream_io!(crate::wasi::io0_2_0_rc_2023_11_10::streams);

/// A new outgoing value holding `value` (sync body). The caller drops it.
fn outgoing(value: &[u8]) -> Result<types::OutgoingValue, String> {
    let out = types::new_outgoing_value();
    match types::outgoing_value_write_body_sync(out, value) {
        Ok(()) => Ok(out),
        Err(e) => {
            types::drop_outgoing_value(out);
            Err(fail("outgoing-value-write-body-sync", e))
        }
    }
}



impl crate::Kv for Store {
    fn open() -> Result<Self, String> {
        let bucket = types::open_bucket("").map_err(|e| fail("open-bucket", e))?;
        Ok(Store { bucket })
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, String> {
        let incoming = readwrite::get(self.bucket, key).map_err(|e| fail("get", e))?;
        let body = types::incoming_value_consume_sync(incoming).map_err(|e| fail("incoming-value-consume-sync", e));
        types::drop_incoming_value(incoming);
        body
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        let out = outgoing(value)?;
        let done = readwrite::set(self.bucket, key, out).map_err(|e| fail("set", e));
        types::drop_outgoing_value(out);
        done
    }

    fn get_async(&self, key: &str) -> Result<Vec<u8>, String> {
        let incoming = readwrite::get(self.bucket, key).map_err(|e| fail("get", e))?;
        let body = types::incoming_value_consume_async(incoming)
            .map_err(|e| fail("incoming-value-consume-async", e))
            .and_then(|stream| read_all(&stream));
        types::drop_incoming_value(incoming);
        body
    }

    fn set_async(&self, key: &str, value: &[u8]) -> Result<(), String> {
        let out = types::new_outgoing_value();
        let done = types::outgoing_value_write_body_async(out)
            .map_err(|e| fail("outgoing-value-write-body-async", e))
            .and_then(|stream| write_all(&stream, value))
            .and_then(|()| readwrite::set(self.bucket, key, out).map_err(|e| fail("set", e)));
        types::drop_outgoing_value(out);
        done
    }

    fn exists(&self, key: &str) -> Result<bool, String> {
        readwrite::exists(self.bucket, key).map_err(|e| fail("exists", e))
    }

    fn increment(&self, key: &str, delta: u64) -> Result<u64, String> {
        atomic::increment(self.bucket, key, delta).map_err(|e| fail("increment", e))
    }

    fn compare_and_swap(&self, key: &str, old: u64, new: u64) -> Result<bool, String> {
        atomic::compare_and_swap(self.bucket, key, old, new).map_err(|e| fail("compare-and-swap", e))
    }

    fn get_many(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, String> {
        let incoming = batch::get_many(self.bucket, keys).map_err(|e| fail("get-many", e))?;
        let mut values = Vec::with_capacity(incoming.len());
        let mut first_error = None;
        for handle in incoming {
            match types::incoming_value_consume_sync(handle) {
                Ok(body) => values.push(body),
                Err(e) => {
                    let text = fail("incoming-value-consume-sync", e);
                    first_error.get_or_insert(text);
                }
            }
            types::drop_incoming_value(handle);
        }
        match first_error {
            None => Ok(values),
            Some(text) => Err(text),
        }
    }

    fn set_many(&self, pairs: &[(String, Vec<u8>)]) -> Result<(), String> {
        let mut handles = Vec::with_capacity(pairs.len());
        let mut made = Ok(());
        for (key, value) in pairs {
            match outgoing(value) {
                Ok(out) => handles.push((key.clone(), out)),
                Err(text) => {
                    made = Err(text);
                    break;
                }
            }
        }
        let done = made.and_then(|()| batch::set_many(self.bucket, &handles).map_err(|e| fail("set-many", e)));
        for (_, out) in handles {
            types::drop_outgoing_value(out);
        }
        done
    }

    fn list_keys(&self) -> Result<Vec<String>, String> {
        // G2 `get-keys` has no error channel: every page is fetched by the adapter.
        Ok(batch::get_keys(self.bucket))
    }
}
