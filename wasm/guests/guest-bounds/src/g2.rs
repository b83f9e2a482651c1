//! G2: u32 handles, freed with `drop-*` (which this guest skips on purpose when leaking).

use crate::wasi::keyvalue::{batch, readwrite, types, wasi_cloud_error};

pub struct Store {
    bucket: types::Bucket,
}

fn fail(call: &str, error: wasi_cloud_error::Error) -> String {
    let trace = wasi_cloud_error::trace(error);
    wasi_cloud_error::drop_error(error);
    format!("{call}: {trace}")
}

stream_io!(crate::wasi::io0_2_0_rc_2023_11_10::streams);

impl crate::Kv for Store {
    fn open() -> Result<Self, String> {
        Ok(Store { bucket: types::open_bucket("").map_err(|e| fail("open-bucket", e))? })
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        let out = types::new_outgoing_value();
        let done = types::outgoing_value_write_body_sync(out, value)
            .map_err(|e| fail("outgoing-value-write-body-sync", e))
            .and_then(|()| readwrite::set(self.bucket, key, out).map_err(|e| fail("set", e)));
        types::drop_outgoing_value(out);
        done
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, String> {
        let incoming = readwrite::get(self.bucket, key).map_err(|e| fail("get", e))?;
        let body = types::incoming_value_consume_sync(incoming).map_err(|e| fail("incoming-value-consume-sync", e));
        types::drop_incoming_value(incoming);
        body
    }

    fn set_streamed(&self, key: &str, value: &[u8]) -> Result<(), String> {
        let out = types::new_outgoing_value();
        let done = types::outgoing_value_write_body_async(out)
            .map_err(|e| fail("outgoing-value-write-body-async", e))
            .and_then(|stream| write_all(&stream, value))
            .and_then(|()| readwrite::set(self.bucket, key, out).map_err(|e| fail("set", e)));
        types::drop_outgoing_value(out);
        done
    }

    fn get_streamed(&self, key: &str) -> Result<Vec<u8>, String> {
        let incoming = readwrite::get(self.bucket, key).map_err(|e| fail("get", e))?;
        let body = types::incoming_value_consume_async(incoming)
            .map_err(|e| fail("incoming-value-consume-async", e))
            .and_then(|stream| read_all(&stream));
        types::drop_incoming_value(incoming);
        body
    }

    fn set_many(&self, pairs: &[(String, Vec<u8>)]) -> Result<(), String> {
        let mut handles = Vec::with_capacity(pairs.len());
        let mut made = Ok(());
        for (key, value) in pairs {
            let out = types::new_outgoing_value();
            handles.push((key.clone(), out));
            if let Err(e) = types::outgoing_value_write_body_sync(out, value) {
                made = Err(fail("outgoing-value-write-body-sync", e));
                break;
            }
        }
        let done = made.and_then(|()| batch::set_many(self.bucket, &handles).map_err(|e| fail("set-many", e)));
        for (_, out) in handles {
            types::drop_outgoing_value(out);
        }
        done
    }

    fn get_many(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, String> {
        let incoming = batch::get_many(self.bucket, keys).map_err(|e| fail("get-many", e))?;
        let mut values = Vec::with_capacity(incoming.len());
        let mut first_error = Ok(());
        for handle in incoming {
            match types::incoming_value_consume_sync(handle) {
                Ok(body) => values.push(body),
                Err(e) if first_error.is_ok() => first_error = Err(fail("incoming-value-consume-sync", e)),
                Err(e) => drop(fail("incoming-value-consume-sync", e)),
            }
            types::drop_incoming_value(handle);
        }
        first_error.map(|()| values)
    }

    fn leak_value(body: Option<&[u8]>) -> Result<(), String> {
        let out = types::new_outgoing_value();
        match body {
            Some(bytes) => types::outgoing_value_write_body_sync(out, bytes).map_err(|e| fail("outgoing-value-write-body-sync", e)),
            None => Ok(()),
        }
    }

    fn leak_bucket() -> Result<(), String> {
        types::open_bucket("").map(|_| ()).map_err(|e| fail("open-bucket", e))
    }

    fn leak_cas(&self, _key: &str) -> Result<(), String> {
        Err("G2 has no cas handle".into())
    }
}
