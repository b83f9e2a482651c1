//! What the guest sees: one generation per file, exactly one compiled in per build.

/// What the G5 and G6 fronts share word for word: one shape under two versions, so only
/// the generated bindings differ. Expanded in each front's file, where `store`, `batch`,
/// `Error` and friends name that front's bindings; the file gives `list_keys` (the cursor
/// is where the two differ) and `atomics`.
#[cfg(any(feature = "front-g5", feature = "front-g6", feature = "front-spin-draft2"))]
macro_rules! today_front_common {
    ($cursor:ty) => {
        /// The host's failure as the guest's error: the same three variants, case by case.
        fn from_host(f: Failure, bucket: &str) -> Error {
            record_error(&failure_trace(&f, bucket));
            match f {
                Failure::NoSuchStore => Error::NoSuchStore,
                Failure::AccessDenied => Error::AccessDenied,
                Failure::Other(text) => Error::Other(text),
            }
        }

        /// An error the adapter itself raises: `other` with a trace text. (Spin's draft2 on
        /// upstream G6 raises none: everything passes through.)
        #[cfg_attr(all(feature = "front-spin-draft2", feature = "back-g6"), allow(dead_code))]
        fn own_error(trace: String) -> Error {
            record_error(&trace);
            Error::Other(trace)
        }

        /// The `bucket` resource: an index in `opened`.
        pub struct BucketRep(usize);

        fn opened<'s>(st: &'s State, bucket: &BucketRep) -> &'s Opened {
            &st.opened[bucket.0]
        }

        impl store::Guest for Adapter {
            type Bucket = BucketRep;

            fn open(identifier: String) -> Result<Bucket, Error> {
                match state().open_raw(&identifier) {
                    Ok(i) => Ok(Bucket::new(BucketRep(i))),
                    Err(e) => Err(from_host(e, &identifier)),
                }
            }
        }

        impl store::GuestBucket for BucketRep {
            fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
                let o = opened(state(), self);
                back::get(&o.bucket, &key).map_err(|e| from_host(e, &o.name))
            }

            fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
                let o = opened(state(), self);
                back::set(&o.bucket, &key, &value).map_err(|e| from_host(e, &o.name))
            }

            fn delete(&self, key: String) -> Result<(), Error> {
                let o = opened(state(), self);
                back::delete(&o.bucket, &key).map_err(|e| from_host(e, &o.name))
            }

            fn exists(&self, key: String) -> Result<bool, Error> {
                let o = opened(state(), self);
                back::exists(&o.bucket, &key).map_err(|e| from_host(e, &o.name))
            }

            fn list_keys(&self, cursor: Option<$cursor>) -> Result<KeyResponse, Error> {
                list_keys(opened(state(), self), cursor)
            }
        }

        // `no-batch`: the guest imports no `batch`, so none is exported and the host's is
        // never called (nor imported).
        #[cfg(not(feature = "no-batch"))]
        impl batch::Guest for Adapter {
            #[cfg(not(feature = "front-spin-draft2"))]
            fn get_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
                let o = opened(state(), bucket.get::<BucketRep>());
                back::get_many(&o.bucket, &keys).map_err(|e| from_host(e, &o.name))
            }

            /// Spin's shape: every requested key paired with its value or `none`.
            #[cfg(feature = "front-spin-draft2")]
            fn get_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<Vec<(String, Option<Vec<u8>>)>, Error> {
                let o = opened(state(), bucket.get::<BucketRep>());
                let found = back::get_many(&o.bucket, &keys).map_err(|e| from_host(e, &o.name))?;
                Ok(kv_adapt_convert::batch::keyed(keys, found))
            }

            fn set_many(bucket: BucketBorrow<'_>, key_values: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
                let o = opened(state(), bucket.get::<BucketRep>());
                back::set_many(&o.bucket, &key_values).map_err(|e| from_host(e, &o.name))
            }

            fn delete_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
                let o = opened(state(), bucket.get::<BucketRep>());
                back::delete_many(&o.bucket, &keys).map_err(|e| from_host(e, &o.name))
            }
        }
    };
}

#[cfg(any(feature = "front-g3", feature = "front-g4"))]
pub(crate) mod eventual;
#[cfg(feature = "front-g1")]
pub mod g1;
#[cfg(u32_front)]
pub mod u32_handles;
#[cfg(feature = "front-g5")]
mod g5;
// Spin's draft2 is G6 but for `batch.get-many` (the macro above), so one file serves both.
#[cfg(any(feature = "front-g6", feature = "front-spin-draft2"))]
mod g6;
#[cfg(feature = "front-spin2")]
mod spin2;
#[cfg(feature = "front-spin1")]
mod spin1;
#[cfg(all(feature = "front-spin3", not(async_back)))]
mod spin3;
#[cfg(all(feature = "front-wasmcloud2", not(async_back)))]
mod wasmcloud2;
// The two WASI 0.3 packages onto each other: async exports awaiting async imports.
#[cfg(all(feature = "front-spin3", feature = "back-wasmcloud2"))]
mod spin3_on_wasmcloud2;
#[cfg(all(feature = "front-wasmcloud2", feature = "back-spin3"))]
mod wasmcloud2_on_spin3;
